// duly/value.hpp: attribute values of records and events.
//
// An attribute is null, a bool, a number, a string (instants travel as ISO-8601
// strings and are read as instants where a policy needs one, e.g. `start_at`),
// or a list of strings, numbers and bools (a ticket's tags).
// `value` is a small non-owning view used on the hot path: its string points into
// storage owned by someone else (an event, a record, a compiled condition).
// `owned_value` owns its string.
//
// A list is held as its canonical JSON text: items in order, no spaces, strings
// escaped as value::to_json writes them, numbers as to_json writes them (-0 as
// 0), e.g. ["billing","vip",3,true]. Two lists are equal exactly when their
// items are equal in the same order, which for canonical text is byte equality;
// list_builder is the one way to make that text.
//
// Comparison rules (see docs/policy.md, Conditions): null == null holds; values of different
// kinds are never equal; ordering is defined only between two numbers or two
// strings (byte-wise), and is false otherwise (so never for lists).
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <duly/export.hpp>

namespace duly {

enum class value_kind : std::uint8_t { null, boolean, number, string, list };

class owned_value;

class value {
 public:
  constexpr value() noexcept = default;
  static constexpr value null() noexcept { return value(); }
  static constexpr value boolean(bool b) noexcept {
    value v;
    v.kind_ = value_kind::boolean;
    v.number_ = b ? 1 : 0;
    return v;
  }
  static constexpr value number(double d) noexcept {
    value v;
    v.kind_ = value_kind::number;
    v.number_ = d;
    return v;
  }
  static constexpr value string(std::string_view s) noexcept {
    value v;
    v.kind_ = value_kind::string;
    v.string_ = s;
    return v;
  }
  // A list from its canonical text (list_builder::text()); not checked.
  static constexpr value list(std::string_view canonical) noexcept {
    value v;
    v.kind_ = value_kind::list;
    v.string_ = canonical;
    return v;
  }

  [[nodiscard]] constexpr value_kind kind() const noexcept { return kind_; }
  [[nodiscard]] constexpr bool is_null() const noexcept { return kind_ == value_kind::null; }
  [[nodiscard]] constexpr bool as_bool() const noexcept { return number_ != 0; }
  [[nodiscard]] constexpr double as_number() const noexcept { return number_; }
  [[nodiscard]] constexpr std::string_view as_string() const noexcept { return string_; }
  // A list's canonical JSON text.
  [[nodiscard]] constexpr std::string_view list_text() const noexcept { return string_; }
  [[nodiscard]] constexpr bool is_list() const noexcept { return kind_ == value_kind::list; }
  // A list: whether `item` equals one of its items (false for any other kind,
  // and for a null or list item). Does not allocate.
  [[nodiscard]] DULY_EXPORT bool contains(const value& item) const noexcept;
  // A list: the number of its items (0 for any other kind).
  [[nodiscard]] DULY_EXPORT std::size_t list_size() const noexcept;
  // True only for the boolean true: conditions treat anything else as false.
  [[nodiscard]] constexpr bool is_true() const noexcept {
    return kind_ == value_kind::boolean && number_ != 0;
  }

  // Text equality that settles most unequal texts (conditions compare an
  // attribute with literals that differ in length or at an end) without a
  // call to memcmp.
  [[nodiscard]] static constexpr bool same_text(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    if (a.empty() || a.data() == b.data()) return true;
    return a.front() == b.front() && a.back() == b.back() && a == b;
  }

  friend constexpr bool operator==(const value& a, const value& b) noexcept {
    if (a.kind_ != b.kind_) return false;
    switch (a.kind_) {
      case value_kind::null: return true;
      case value_kind::boolean:
      case value_kind::number: return a.number_ == b.number_;
      case value_kind::string:
      case value_kind::list: return same_text(a.string_, b.string_);
    }
    return false;
  }

  // a < b when both are numbers or both strings; false otherwise.
  [[nodiscard]] static constexpr bool less(const value& a, const value& b) noexcept {
    if (a.kind_ != b.kind_) return false;
    if (a.kind_ == value_kind::number) return a.number_ < b.number_;
    if (a.kind_ == value_kind::string) return a.string_ < b.string_;
    return false;
  }
  [[nodiscard]] static constexpr bool orderable(const value& a, const value& b) noexcept {
    return a.kind_ == b.kind_ && (a.kind_ == value_kind::number || a.kind_ == value_kind::string);
  }

  // JSON text of the value: null, true, 3.5, "text" (escaped), a list's text. Integers below
  // 1e15 have no fraction ("42"), other numbers 17 significant digits, NaN and
  // infinities are null; in strings, bytes that are not UTF-8 become U+FFFD
  // (written \ufffd), so the text is always valid JSON (RFC 8259).
  [[nodiscard]] DULY_EXPORT std::string to_json() const;

 private:
  value_kind kind_ = value_kind::null;
  double number_ = 0;
  std::string_view string_;
};

// A value that owns its string.
class owned_value {
 public:
  owned_value() = default;
  explicit owned_value(const value& v) : kind_(v.kind()) {
    if (kind_ == value_kind::string || kind_ == value_kind::list) text_ = std::string(v.as_string());
    else number_ = v.as_number();
  }
  [[nodiscard]] value view() const noexcept {
    switch (kind_) {
      case value_kind::null: return value::null();
      case value_kind::boolean: return value::boolean(number_ != 0);
      case value_kind::number: return value::number(number_);
      case value_kind::string: return value::string(text_);
      case value_kind::list: return value::list(text_);
    }
    return value::null();
  }
  [[nodiscard]] value_kind kind() const noexcept { return kind_; }
  friend bool operator==(const owned_value& a, const owned_value& b) noexcept { return a.view() == b.view(); }

 private:
  value_kind kind_ = value_kind::null;
  double number_ = 0;
  std::string text_;
};

// The items of a list value, in order (empty for any other kind).
[[nodiscard]] DULY_EXPORT std::vector<owned_value> list_items(const value& list);

// Builds a list's canonical text, item by item:
//
//   list_builder b;
//   b.add(value::string("vip")); b.add(value::number(3));
//   owned_value tags(value::list(b.text()));   // ["vip",3]
//
// Items are strings, finite numbers and bools; add() refuses (returns false,
// adds nothing) a null, a list, NaN or an infinity. Limits (how long a list an
// event may carry) are the readers' (event_check), not the builder's.
class DULY_EXPORT list_builder {
 public:
  list_builder() : text_("[") {}
  bool add(const value& item);
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  // The canonical text of the items added so far.
  [[nodiscard]] std::string text() const { return text_ + ']'; }
  // Empties the builder for the next list.
  void clear() {
    text_ = "[";
    size_ = 0;
  }

 private:
  std::string text_;
  std::size_t size_ = 0;
};

}  // namespace duly
