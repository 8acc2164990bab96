// Reading events from JSON Lines (one object per line with "id", "at", "event"
// and attributes; an attribute may be a JSON array of strings, numbers and
// bools, read as a list value).
//
// A line goes through the fast path (jsonl_fast.hpp) when it can, otherwise
// through nlohmann's SAX interface, so no DOM is built for a line. Either way
// the fields go through the one validator, event_check (event_check.cpp), and
// every line becomes an event or a rejected_row with its line number and reason.
#include <duly/event.hpp>

#include <exception>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/json_list.hpp"
#include "io/jsonl_fast.hpp"
#include "io/lines.hpp"

namespace duly {

namespace {

using json = nlohmann::json;
using detail::for_each_line;
using detail::is_blank;
using detail::utf8_bom;

// ---------------------------------------------------------------------------
// JSON Lines

enum class jtype : std::uint8_t { null, boolean, integer, unsigned_integer, floating, string, object, array };

struct jvalue {
  jtype type = jtype::null;
  bool b = false;
  std::int64_t i = 0;
  std::uint64_t u = 0;
  double d = 0;
  std::string* s = nullptr;          // string: the lexer's buffer, may be moved from
  const std::string* raw = nullptr;  // floating: the number as written
};

// How a value is named in a message: the value itself for scalars that are
// short by nature, its kind otherwise.
std::string describe(const jvalue& v) {
  using shape = event_check::shape;
  switch (v.type) {
    case jtype::null: return event_check::describe(shape::null);
    case jtype::boolean: return event_check::describe(shape::boolean, v.b ? "true" : "false");
    case jtype::integer: return event_check::describe(shape::number, std::to_string(v.i));
    case jtype::unsigned_integer: return event_check::describe(shape::number, std::to_string(v.u));
    case jtype::floating: return event_check::describe(shape::number, v.raw ? *v.raw : "a number");
    case jtype::string: return event_check::describe(shape::string);
    case jtype::object: return event_check::describe(shape::object);
    case jtype::array: return event_check::describe(shape::list);
  }
  return "a value";
}

// Turns nlohmann's message into "column N: what went wrong", dropping the
// exception id and the parser's internal context ("syntax error while parsing
// object key - ").
std::string simplify_json_error(std::size_t position, std::string_view what) {
  if (what.starts_with("[json.exception.")) {
    if (const auto close = what.find("] "); close != std::string_view::npos) what.remove_prefix(close + 2);
  }
  if (what.starts_with("parse error")) {
    if (const auto colon = what.find(": "); colon != std::string_view::npos) what.remove_prefix(colon + 2);
  }
  if (what.starts_with("syntax error while parsing ")) {
    if (const auto dash = what.find(" - "); dash != std::string_view::npos) what.remove_prefix(dash + 3);
  }
  std::string out = "column ";
  out += std::to_string(position);
  out += ": ";
  out += what;
  return out;
}

// nlohmann's SAX callbacks for scalars, each handed to Derived::value() as a
// jvalue (the readers below differ only in what they do with compound values
// and where a value goes).
template <class Derived>
class scalar_sax {
 public:
  using string_t = json::string_t;
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using binary_t = json::binary_t;

  bool null() { return self().value(jvalue{jtype::null}); }
  bool boolean(bool b) {
    jvalue v{jtype::boolean};
    v.b = b;
    return self().value(v);
  }
  bool number_integer(number_integer_t n) {
    jvalue v{jtype::integer};
    v.i = n;
    return self().value(v);
  }
  bool number_unsigned(number_unsigned_t n) {
    jvalue v{jtype::unsigned_integer};
    v.u = n;
    return self().value(v);
  }
  bool number_float(number_float_t d, const string_t& raw) {
    jvalue v{jtype::floating};
    v.d = d;
    v.raw = &raw;
    return self().value(v);
  }
  bool string(string_t& s) {
    jvalue v{jtype::string};
    v.s = &s;
    return self().value(v);
  }
  bool binary(binary_t&) { return self().value(jvalue{jtype::object}); }  // not produced by JSON text

 private:
  Derived& self() { return static_cast<Derived&>(*this); }
};

// A list, item by item: the items go to the builder until one cannot be held
// (the first such is the reason) or the list grows past the limit (then they
// are only counted, so that a huge list costs no memory).
class list_reader {
 public:
  void start() {
    items_ = 0;
    problem_.clear();
    builder_.clear();
  }

  void item(const jvalue& v) {
    ++items_;
    if (!problem_.empty() || items_ > event_check::max_list_items) return;
    const auto inexact = [&](const std::string& literal) {
      problem_ = "item " + std::to_string(items_) + " of the list: " + event_check::inexact_integer(literal);
    };
    switch (v.type) {
      case jtype::boolean: builder_.add(duly::value::boolean(v.b)); return;
      case jtype::integer:
        if (!event_check::exact_integer(v.i)) return inexact(std::to_string(v.i));
        builder_.add(duly::value::number(static_cast<double>(v.i)));
        return;
      case jtype::unsigned_integer:
        if (v.u > static_cast<std::uint64_t>(event_check::max_exact_integer)) return inexact(std::to_string(v.u));
        builder_.add(duly::value::number(static_cast<double>(v.u)));
        return;
      case jtype::floating:
        if (v.raw != nullptr && v.raw->find_first_of(".eE") == std::string::npos) return inexact(*v.raw);
        builder_.add(duly::value::number(v.d));
        return;
      case jtype::string: builder_.add(duly::value::string(*v.s)); return;
      default: problem_ = event_check::list_item_problem(items_, describe(v));
    }
  }

  // The list read, or false with the problem.
  bool finish(std::string& problem, owned_value& out) const {
    if (!problem_.empty()) {
      problem = problem_;
      return false;
    }
    if (items_ > event_check::max_list_items) {
      problem = event_check::list_too_long(items_);
      return false;
    }
    out = owned_value(duly::value::list(builder_.text()));
    return true;
  }

 private:
  std::size_t items_ = 0;
  std::string problem_;
  list_builder builder_;
};

// Builds one event from the SAX events of one line. Values are checked as they
// arrive, but parsing goes on to the end of the line so that broken JSON is
// reported as such rather than as a missing key.
class event_sax : public scalar_sax<event_sax> {
 public:
  explicit event_sax(event_check& check) : check_(check) {}
  bool start_object(std::size_t) {
    if (depth_ == 0) {
      depth_ = 1;
      return true;
    }
    return value(jvalue{jtype::object});
  }
  bool start_array(std::size_t) { return value(jvalue{jtype::array}); }
  bool end_object() {
    --depth_;
    return true;
  }
  bool end_array() {
    --depth_;
    if (depth_ == 1 && in_list_) end_list();
    return true;
  }
  bool key(string_t& k) {
    if (depth_ == 1) key_.swap(k);
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) {
    syntax_error_ = simplify_json_error(position, ex.what());
    return false;
  }

  [[nodiscard]] bool not_object() const noexcept { return not_object_; }
  [[nodiscard]] const std::string& syntax_error() const noexcept { return syntax_error_; }

 private:
  friend class scalar_sax<event_sax>;
  bool value(const jvalue& v) {
    const bool compound = v.type == jtype::object || v.type == jtype::array;
    if (depth_ == 0) {
      // The line is a JSON value but not an object: nothing more to learn.
      not_object_ = true;
      return false;
    }
    if (depth_ == 1) apply(v);
    else if (depth_ == 2 && in_list_) list_item(v);
    if (compound) ++depth_;
    return true;
  }

  void start_list() {
    in_list_ = true;
    list_.start();
  }

  void list_item(const jvalue& v) { list_.item(v); }

  void end_list() {
    in_list_ = false;
    std::string problem;
    owned_value list;
    if (!list_.finish(problem, list)) return check_.attribute_problem(key_, problem);
    check_.attribute(key_, std::move(list));
  }

  void apply(const jvalue& v) {
    using field = event_check::field;
    if (key_ == "id") {
      switch (v.type) {
        case jtype::string: return check_.id(std::move(*v.s));
        case jtype::integer: return check_.id(std::to_string(v.i));
        case jtype::unsigned_integer: return check_.id(std::to_string(v.u));
        default: return check_.wrong_type(field::id, describe(v));
      }
    }
    if (key_ == "at") {
      if (v.type != jtype::string) return check_.wrong_type(field::at, describe(v));
      return check_.at(*v.s);
    }
    if (key_ == "event") {
      if (v.type != jtype::string) return check_.wrong_type(field::event, describe(v));
      return check_.name(std::move(*v.s));
    }
    switch (v.type) {
      case jtype::null: return check_.attribute(key_, owned_value());
      case jtype::boolean: return check_.attribute(key_, owned_value(duly::value::boolean(v.b)));
      case jtype::integer:
        if (!event_check::exact_integer(v.i)) return check_.attribute_problem(key_, event_check::inexact_integer(std::to_string(v.i)));
        return check_.attribute(key_, owned_value(duly::value::number(static_cast<double>(v.i))));
      case jtype::unsigned_integer:
        // nlohmann uses uint64 only above INT64_MAX: always beyond 2^53.
        if (v.u > static_cast<std::uint64_t>(event_check::max_exact_integer))
          return check_.attribute_problem(key_, event_check::inexact_integer(std::to_string(v.u)));
        return check_.attribute(key_, owned_value(duly::value::number(static_cast<double>(v.u))));
      case jtype::floating:
        // An integer written without fraction or exponent that does not fit
        // 64 bits comes as a float: as inexact as any integer beyond 2^53.
        if (v.raw != nullptr && v.raw->find_first_of(".eE") == std::string::npos)
          return check_.attribute_problem(key_, event_check::inexact_integer(*v.raw));
        return check_.attribute(key_, owned_value(duly::value::number(v.d)));
      case jtype::string: return check_.attribute(key_, owned_value(duly::value::string(*v.s)));
      case jtype::array: return start_list();
      case jtype::object: return check_.attribute_problem(key_, event_check::nested());
    }
  }

  event_check& check_;
  std::string key_;
  std::string syntax_error_;
  int depth_ = 0;
  bool not_object_ = false;
  bool in_list_ = false;
  list_reader list_;
};

// Reads one JSON array (a CSV cell of a list column) with the list rules of
// JSON Lines.
class list_sax : public scalar_sax<list_sax> {
 public:
  list_sax() { list_.start(); }
  bool start_object(std::size_t) { return value(jvalue{jtype::object}); }
  bool start_array(std::size_t) {
    if (depth_ == 0) {
      depth_ = 1;
      return true;
    }
    return value(jvalue{jtype::array});
  }
  bool end_object() {
    --depth_;
    return true;
  }
  bool end_array() {
    --depth_;
    return true;
  }
  bool key(string_t&) { return true; }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) {
    problem_ = simplify_json_error(position, ex.what());
    return false;
  }

  // The list, or false with the problem.
  bool finish(std::string& problem, owned_value& out) const {
    if (!problem_.empty()) {
      problem = "not a JSON array: " + problem_;
      return false;
    }
    if (not_array_) {
      problem = "not a JSON array";
      return false;
    }
    return list_.finish(problem, out);
  }

 private:
  friend class scalar_sax<list_sax>;
  bool value(const jvalue& v) {
    if (depth_ == 0) {
      not_array_ = true;
      return false;
    }
    if (depth_ == 1) list_.item(v);
    if (v.type == jtype::object || v.type == jtype::array) ++depth_;
    return true;
  }

  list_reader list_;
  std::string problem_;
  int depth_ = 0;
  bool not_array_ = false;
};

enum class line_verdict { ok, not_json, bad_content };

// Parses one line into `e`; on failure leaves the reason in `reason`.
line_verdict parse_line(std::string_view line, event_check& check, event& e, std::string& reason) {
  check.start(e);
  // nlohmann would skip a BOM too, but count it in the column of an error.
  if (line.starts_with(utf8_bom)) line.remove_prefix(utf8_bom.size());
  event_sax sax(check);
  try {
    json::sax_parse(line.data(), line.data() + line.size(), &sax, json::input_format_t::json, true, false);
  } catch (const std::exception& ex) {
    // nlohmann reports through parse_error(); this is only out-of-memory and
    // the like. The row is still accounted for.
    reason = std::string("invalid JSON: ") + ex.what();
    return line_verdict::not_json;
  }
  if (!sax.syntax_error().empty()) {
    reason = "invalid JSON: " + sax.syntax_error();
    return line_verdict::not_json;
  }
  if (sax.not_object()) {
    reason = "not a JSON object";
    return line_verdict::not_json;
  }
  if (check.finish()) return line_verdict::ok;
  reason = check.reason();
  return line_verdict::bad_content;
}

}  // namespace

std::string line_too_long(std::size_t bytes) {
  return "line too long: " + std::to_string(bytes) + " bytes, more than the " +
         std::to_string(max_event_line_bytes >> 20) + " MiB limit of one line";
}

namespace {

class jsonl_reader {
 public:
  explicit jsonl_reader(const read_options& options) : options_(options) {
    check_.set_zone(options.zone);
    check_.set_declared(options.declared);
  }

  void operator()(std::string_view line, std::uint64_t number) {
    last_line_ = number;
    if (is_blank(line)) return;
    if (line.size() > max_event_line_bytes) {
      ++batch_.rows;
      batch_.rejected.push_back(rejected_row{number, line_too_long(line.size()), {}});
      return;
    }
    event e;
    line_verdict verdict = line_verdict::ok;
    if (!fast_.parse(line, check_, e)) verdict = parse_line(line, check_, e, reason_);
    const std::uint64_t sequence = options_.first_sequence + batch_.rows++;
    if (verdict == line_verdict::ok) {
      e.sequence = sequence;
      e.line = number;
      batch_.events.push_back(std::move(e));
    } else {
      // The id is the row's when it was valid JSON with a valid id.
      batch_.rejected.push_back(
          rejected_row{number, std::move(reason_), verdict == line_verdict::bad_content ? std::move(e.id) : std::string()});
      reason_.clear();
    }
  }

  // A read error is a row of its own, so that strict mode refuses a partly
  // read input.
  void read_failed() {
    ++batch_.rows;
    batch_.rejected.push_back(rejected_row{
        last_line_ + 1, "input: read error after line " + std::to_string(last_line_) + "; the rest was not read", {}});
  }

  event_batch take() { return std::move(batch_); }

 private:
  const read_options& options_;
  event_batch batch_;
  event_check check_;
  std::string reason_;
  detail::fast_line_parser fast_;
  std::uint64_t last_line_ = 0;
};


}  // namespace

namespace detail {

result<owned_value> read_json_list(std::string_view text) {
  list_sax sax;
  try {
    json::sax_parse(text.data(), text.data() + text.size(), &sax, json::input_format_t::json, true, false);
  } catch (const std::exception& ex) {
    return fail(errc::parse_error, std::string("not a JSON array: ") + ex.what());
  }
  std::string problem;
  owned_value out;
  if (!sax.finish(problem, out)) return fail(errc::invalid_argument, std::move(problem));
  return out;
}

}  // namespace detail

result<event> parse_event_json(std::string_view line) {
  event e;
  event_check check;
  std::string reason;
  try {
    switch (parse_line(line, check, e, reason)) {
      case line_verdict::ok: return e;
      case line_verdict::not_json: return fail(errc::parse_error, std::move(reason));
      case line_verdict::bad_content: return fail(errc::invalid_argument, std::move(reason));
    }
  } catch (const std::exception& ex) {
    return fail(errc::parse_error, std::string("invalid JSON: ") + ex.what());
  }
  return fail(errc::parse_error, "invalid JSON");
}

event_batch read_events_jsonl(std::string_view text, const read_options& options) {
  jsonl_reader reader(options);
  try {
    for_each_line(text, reader);
  } catch (...) {
    // Out of memory: keep what was read and say where it stopped.
    try {
      reader.read_failed();
    } catch (...) {
    }
  }
  return reader.take();
}

event_batch read_events_jsonl(std::istream& in, const read_options& options) {
  jsonl_reader reader(options);
  bool failed = false;
  for_each_line(in, reader, failed);
  if (failed) reader.read_failed();
  return reader.take();
}

}  // namespace duly
