// Reading events from JSON Lines and CSV (SPEC section 4).
//
// Both readers work line by line over physical lines (LF or CRLF, a UTF-8 BOM
// at the start is dropped) and account for every data row: it becomes an event
// or a rejected_row with its line number and reason. JSON Lines goes through
// nlohmann's SAX interface, so no DOM is built for a line; CSV is a small RFC
// 4180 state machine fed one physical line at a time, so a quoted cell may span
// lines.
#include <duly/event.hpp>

#include <charconv>
#include <cmath>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/text.hpp"

namespace duly {

namespace {

// An event's `at`: ISO-8601 with an offset, inside the supported years (an
// instant outside them would give wrong answers, not errors, downstream).
result<instant> parse_event_instant(std::string_view text) {
  auto t = parse_instant(text);
  if (t && (*t < min_supported_instant || *t >= max_supported_instant))
    return fail(errc::out_of_range,
                "instant " + format_instant(*t) + " is outside the supported years 1970 to 2199");
  return t;
}


using json = nlohmann::json;

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

bool is_blank(std::string_view s) noexcept {
  for (const char c : s)
    if (!detail::is_space(c)) return false;
  return true;
}

std::string single_quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '\'';
  out += text;
  out += '\'';
  return out;
}

// Calls f(line, number) for every physical line of `text`: without its '\n' or
// "\r\n", numbered from 1, the BOM of the first line removed.
template <class F>
void for_each_line(std::string_view text, F&& f) {
  std::uint64_t number = 0;
  std::size_t begin = 0;
  while (begin < text.size()) {
    const void* nl = std::memchr(text.data() + begin, '\n', text.size() - begin);
    const std::size_t end = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - text.data()) : text.size();
    std::string_view line = text.substr(begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (++number == 1 && line.starts_with(utf8_bom)) line.remove_prefix(utf8_bom.size());
    f(line, number);
    begin = end + 1;
  }
}

// The same over a stream, read in blocks (a line may be longer than a block).
// Returns the number of the last line read, and sets `failed` when the stream
// reported an I/O error (badbit, or an exception from a stream that throws).
template <class F>
std::uint64_t for_each_line(std::istream& in, F&& f, bool& failed) {
  failed = false;
  std::string buf(std::size_t{1} << 16, '\0');
  std::size_t begin = 0, end = 0;
  std::uint64_t number = 0;
  const auto emit = [&](std::size_t from, std::size_t to) {
    std::string_view line(buf.data() + from, to - from);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (++number == 1 && line.starts_with(utf8_bom)) line.remove_prefix(utf8_bom.size());
    f(line, number);
  };
  try {
    std::size_t scanned = 0;  // bytes of [begin, end) known to hold no '\n'
    for (;;) {
      const void* nl = std::memchr(buf.data() + begin + scanned, '\n', end - begin - scanned);
      if (nl) {
        const auto at = static_cast<std::size_t>(static_cast<const char*>(nl) - buf.data());
        emit(begin, at);
        begin = at + 1;
        scanned = 0;
        continue;
      }
      scanned = end - begin;
      if (!in) break;
      if (begin > 0) {
        std::memmove(buf.data(), buf.data() + begin, end - begin);
        end -= begin;
        begin = 0;
      }
      if (end == buf.size()) buf.resize(buf.size() * 2);
      in.read(buf.data() + end, static_cast<std::streamsize>(buf.size() - end));
      const auto got = in.gcount();
      end += static_cast<std::size_t>(got);
      if (got == 0 && !in) break;
    }
    if (end > begin) emit(begin, end);
    failed = in.bad();
  } catch (...) {
    failed = true;
  }
  return number;
}

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
  switch (v.type) {
    case jtype::null: return "null";
    case jtype::boolean: return v.b ? "true" : "false";
    case jtype::integer: return std::to_string(v.i);
    case jtype::unsigned_integer: return std::to_string(v.u);
    case jtype::floating: return v.raw ? *v.raw : "a number";
    case jtype::string: return "a string";
    case jtype::object: return "an object";
    case jtype::array: return "a list";
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

// Builds one event from the SAX events of one line. Values are checked as they
// arrive, but parsing goes on to the end of the line so that broken JSON is
// reported as such rather than as a missing key.
class event_sax {
 public:
  using string_t = json::string_t;
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using binary_t = json::binary_t;

  event_sax(event& e, std::vector<std::string>& problems) : e_(e), problems_(problems) {}

  bool null() { return value(jvalue{jtype::null}); }
  bool boolean(bool b) {
    jvalue v{jtype::boolean};
    v.b = b;
    return value(v);
  }
  bool number_integer(number_integer_t n) {
    jvalue v{jtype::integer};
    v.i = n;
    return value(v);
  }
  bool number_unsigned(number_unsigned_t n) {
    jvalue v{jtype::unsigned_integer};
    v.u = n;
    return value(v);
  }
  bool number_float(number_float_t d, const string_t& raw) {
    jvalue v{jtype::floating};
    v.d = d;
    v.raw = &raw;
    return value(v);
  }
  bool string(string_t& s) {
    jvalue v{jtype::string};
    v.s = &s;
    return value(v);
  }
  bool binary(binary_t&) { return value(jvalue{jtype::array}); }  // not produced by JSON text
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
  [[nodiscard]] bool seen_id() const noexcept { return seen_id_; }
  [[nodiscard]] bool seen_at() const noexcept { return seen_at_; }
  [[nodiscard]] bool seen_event() const noexcept { return seen_event_; }

 private:
  bool value(const jvalue& v) {
    const bool compound = v.type == jtype::object || v.type == jtype::array;
    if (depth_ == 0) {
      // The line is a JSON value but not an object: nothing more to learn.
      not_object_ = true;
      return false;
    }
    if (depth_ == 1) apply(v);
    if (compound) ++depth_;
    return true;
  }

  void problem(std::string text) { problems_.push_back(std::move(text)); }

  void apply(const jvalue& v) {
    if (key_ == "id") {
      if (seen_id_) return problem("id: appears twice");
      seen_id_ = true;
      switch (v.type) {
        case jtype::string:
          if (v.s->empty()) return problem("id: empty");
          e_.id = std::move(*v.s);
          return;
        case jtype::integer: e_.id = std::to_string(v.i); return;
        case jtype::unsigned_integer: e_.id = std::to_string(v.u); return;
        default: return problem("id: expected a string or an integer, got " + describe(v));
      }
    }
    if (key_ == "at") {
      if (seen_at_) return problem("at: appears twice");
      seen_at_ = true;
      if (v.type != jtype::string)
        return problem("at: expected an ISO-8601 instant as a string, got " + describe(v));
      auto t = parse_event_instant(*v.s);
      if (!t) return problem("at: " + t.error().message());
      e_.at = *t;
      return;
    }
    if (key_ == "event") {
      if (seen_event_) return problem("event: appears twice");
      seen_event_ = true;
      if (v.type != jtype::string) return problem("event: expected a string, got " + describe(v));
      if (v.s->empty()) return problem("event: empty");
      e_.name = std::move(*v.s);
      return;
    }
    if (key_.empty()) return problem("attribute '': the name is empty");
    if (is_duplicate_attribute()) return problem("attribute " + single_quoted(key_) + ": appears twice");
    owned_value ov;
    switch (v.type) {
      case jtype::null: break;
      case jtype::boolean: ov = owned_value(duly::value::boolean(v.b)); break;
      case jtype::integer: ov = owned_value(duly::value::number(static_cast<double>(v.i))); break;
      case jtype::unsigned_integer: ov = owned_value(duly::value::number(static_cast<double>(v.u))); break;
      case jtype::floating: ov = owned_value(duly::value::number(v.d)); break;
      case jtype::string: ov = owned_value(duly::value::string(*v.s)); break;
      case jtype::object:
      case jtype::array: return problem("attribute " + single_quoted(key_) + ": objects and lists are not supported");
    }
    e_.updates.push_back(attribute_update{key_, std::move(ov)});
  }

  // Linear for the usual handful of attributes, a set for pathological lines.
  bool is_duplicate_attribute() {
    auto& ups = e_.updates;
    if (ups.size() < 16) {
      for (const auto& u : ups)
        if (u.name == key_) return true;
      return false;
    }
    if (names_.empty())
      for (const auto& u : ups) names_.insert(u.name);
    return !names_.insert(key_).second;
  }

  event& e_;
  std::vector<std::string>& problems_;
  std::string key_;
  std::unordered_set<std::string> names_;
  std::string syntax_error_;
  int depth_ = 0;
  bool not_object_ = false;
  bool seen_id_ = false, seen_at_ = false, seen_event_ = false;
};

// The fast path for the usual line: a flat object whose values are strings
// without \u escapes, numbers, bools or null, with id, at and event right. It
// accepts a line only when it is sure that nlohmann would read the same event;
// on anything else (errors included) it gives up and the line goes through the
// SAX reader above, whose verdicts and messages are the reference. It exists for
// speed: nlohmann's lexer copies every character it reads.
class fast_line_parser {
 public:
  // True when `line` was read into `e` (which is then complete).
  bool parse(std::string_view line, event& e) {
    p_ = line.data();
    end_ = line.data() + line.size();
    count_ = 0;
    skip_ws();
    if (!eat('{')) return false;
    skip_ws();
    if (!eat('}')) {
      for (;;) {
        if (count_ == fields_.size()) fields_.emplace_back();
        if (count_ == max_fields) return false;  // keeps the duplicate check linear
        field& f = fields_[count_++];
        if (!eat('"') || !string(f.name)) return false;
        skip_ws();
        if (!eat(':')) return false;
        skip_ws();
        if (!value(f)) return false;
        skip_ws();
        if (eat(',')) {
          skip_ws();
          continue;
        }
        if (eat('}')) break;
        return false;
      }
    }
    skip_ws();
    if (p_ != end_) return false;
    return build(e);
  }

 private:
  enum class kind : std::uint8_t { null, boolean, number, string };
  struct field {
    std::string name;
    kind k = kind::null;
    bool b = false;
    double d = 0;
    std::string text;
  };
  static constexpr std::size_t max_fields = 32;

  bool build(event& e) {
    const field* id = nullptr;
    const field* at = nullptr;
    const field* name = nullptr;
    std::size_t attributes = 0;
    for (std::size_t i = 0; i < count_; ++i) {
      const field& f = fields_[i];
      const field** slot = f.name == "id" ? &id : f.name == "at" ? &at : f.name == "event" ? &name : nullptr;
      if (slot) {
        if (*slot || f.k != kind::string || f.text.empty()) return false;
        *slot = &f;
        continue;
      }
      if (f.name.empty()) return false;
      for (std::size_t j = 0; j < i; ++j)
        if (fields_[j].name == f.name) return false;
      ++attributes;
    }
    if (!id || !at || !name) return false;
    const auto t = parse_event_instant(at->text);
    if (!t) return false;
    e.id = id->text;
    e.at = *t;
    e.name = name->text;
    e.updates.reserve(attributes);
    for (std::size_t i = 0; i < count_; ++i) {
      const field& f = fields_[i];
      if (&f == id || &f == at || &f == name) continue;
      switch (f.k) {
        case kind::null: e.updates.push_back(attribute_update{f.name, owned_value()}); break;
        case kind::boolean: e.updates.push_back(attribute_update{f.name, owned_value(value::boolean(f.b))}); break;
        case kind::number: e.updates.push_back(attribute_update{f.name, owned_value(value::number(f.d))}); break;
        case kind::string: e.updates.push_back(attribute_update{f.name, owned_value(value::string(f.text))}); break;
      }
    }
    return true;
  }

  void skip_ws() noexcept {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\r' || *p_ == '\n')) ++p_;
  }
  bool eat(char c) noexcept {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  bool literal(std::string_view word) noexcept {
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

  bool value(field& f) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '"':
        ++p_;
        f.k = kind::string;
        return string(f.text);
      case 't':
        f.k = kind::boolean;
        f.b = true;
        return literal("true");
      case 'f':
        f.k = kind::boolean;
        f.b = false;
        return literal("false");
      case 'n':
        f.k = kind::null;
        return literal("null");
      default:
        f.k = kind::number;
        return number(f.d);
    }
  }

  // The rest of a string after its opening quote, decoded into `out`.
  bool string(std::string& out) {
    out.clear();
    for (;;) {
      const char* run = p_;
      while (p_ != end_) {
        const auto c = static_cast<unsigned char>(*p_);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++p_;
      }
      out.append(run, static_cast<std::size_t>(p_ - run));
      if (p_ == end_) return false;
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (c >= 0x80) {
        const std::size_t n = detail::utf8_sequence(std::string_view(p_, static_cast<std::size_t>(end_ - p_)), 0);
        if (n == 0) return false;
        out.append(p_, n);
        p_ += n;
        continue;
      }
      // A backslash.
      if (++p_ == end_) return false;
      switch (*p_++) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        default: return false;  // \u escapes (and errors) are left to nlohmann
      }
    }
  }

  // A JSON number, converted as nlohmann converts it: integers through int64
  // or uint64, the rest through a correctly rounded decimal conversion.
  bool number(double& out) {
    const char* begin = p_;
    eat('-');
    if (p_ == end_ || !detail::is_digit(*p_)) return false;
    if (*p_ == '0') ++p_;
    else
      while (p_ != end_ && detail::is_digit(*p_)) ++p_;
    bool integer = true;
    if (eat('.')) {
      integer = false;
      if (p_ == end_ || !detail::is_digit(*p_)) return false;
      while (p_ != end_ && detail::is_digit(*p_)) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      integer = false;
      ++p_;
      if (!eat('+')) eat('-');
      if (p_ == end_ || !detail::is_digit(*p_)) return false;
      while (p_ != end_ && detail::is_digit(*p_)) ++p_;
    }
    if (integer) {
      std::int64_t i = 0;
      if (const auto r = std::from_chars(begin, p_, i); r.ec == std::errc() && r.ptr == p_) {
        out = static_cast<double>(i);
        return true;
      }
      std::uint64_t u = 0;
      if (const auto r = std::from_chars(begin, p_, u); r.ec == std::errc() && r.ptr == p_) {
        out = static_cast<double>(u);
        return true;
      }
    }
    const auto r = std::from_chars(begin, p_, out);
    return r.ec == std::errc() && r.ptr == p_ && std::isfinite(out);
  }

  std::vector<field> fields_;
  std::size_t count_ = 0;
  const char* p_ = nullptr;
  const char* end_ = nullptr;
};

enum class line_verdict { ok, not_json, bad_content };

// Parses one line into `e`; on failure leaves the reason in `reason`.
line_verdict parse_line(std::string_view line, event& e, std::vector<std::string>& problems, std::string& reason) {
  problems.clear();
  // nlohmann would skip a BOM too, but count it in the column of an error.
  if (line.starts_with(utf8_bom)) line.remove_prefix(utf8_bom.size());
  event_sax sax(e, problems);
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
  if (!sax.seen_id()) problems.emplace_back("id: missing");
  if (!sax.seen_at()) problems.emplace_back("at: missing");
  if (!sax.seen_event()) problems.emplace_back("event: missing");
  if (problems.empty()) return line_verdict::ok;
  reason.clear();
  for (const auto& p : problems) {
    if (!reason.empty()) reason += "; ";
    reason += p;
  }
  return line_verdict::bad_content;
}

class jsonl_reader {
 public:
  explicit jsonl_reader(const read_options& options) : options_(options) {}

  void operator()(std::string_view line, std::uint64_t number) {
    last_line_ = number;
    if (is_blank(line)) return;
    event e;
    line_verdict verdict = line_verdict::ok;
    if (!fast_.parse(line, e)) {
      e = event{};
      verdict = parse_line(line, e, problems_, reason_);
    }
    const std::uint64_t sequence = options_.first_sequence + batch_.rows++;
    if (verdict == line_verdict::ok) {
      e.sequence = sequence;
      e.line = number;
      batch_.events.push_back(std::move(e));
    } else {
      batch_.rejected.push_back(rejected_row{number, std::move(reason_)});
      reason_.clear();
    }
  }

  // A read error is a row of its own, so that strict mode refuses a partly
  // read input.
  void read_failed() {
    ++batch_.rows;
    batch_.rejected.push_back(rejected_row{
        last_line_ + 1, "input: read error after line " + std::to_string(last_line_) + "; the rest was not read"});
  }

  event_batch take() { return std::move(batch_); }

 private:
  const read_options& options_;
  event_batch batch_;
  std::vector<std::string> problems_;
  std::string reason_;
  fast_line_parser fast_;
  std::uint64_t last_line_ = 0;
};

// ---------------------------------------------------------------------------
// CSV

// Splits CSV records (RFC 4180) fed one physical line at a time. Strings of the
// cells are reused from record to record.
class csv_splitter {
 public:
  // Feeds one physical line. Returns true when it completes a record. A blank
  // line outside a quoted cell is skipped.
  bool feed(std::string_view text, std::uint64_t number) {
    if (!open_) {
      if (is_blank(text)) return false;
      count_ = 0;
      new_cell();
      error_.clear();
      line_ = number;
      state_ = state::cell_start;
    } else {
      // The line break is part of the quoted cell (CRLF is read as LF).
      cell() += '\n';
    }
    // Runs of plain text are copied at once; only the characters that change
    // the state are looked at one by one.
    std::size_t i = 0;
    const std::size_t n = text.size();
    const auto run_until = [&](char stop) {
      const void* hit = std::memchr(text.data() + i, stop, n - i);
      const std::size_t to = hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - text.data()) : n;
      cell().append(text.data() + i, to - i);
      i = to;
    };
    while (i < n) {
      const char c = text[i];
      switch (state_) {
        case state::cell_start:
          if (c == '"') {
            state_ = state::quoted;
            ++i;
          } else if (c == ',') {
            new_cell();
            ++i;
          } else {
            state_ = state::unquoted;
          }
          break;
        case state::unquoted:
          // A quote inside an unquoted cell is taken literally.
          run_until(',');
          if (i < n) {
            new_cell();
            state_ = state::cell_start;
            ++i;
          }
          break;
        case state::quoted:
          run_until('"');
          if (i < n) {
            state_ = state::quote_seen;
            ++i;
          }
          break;
        case state::quote_seen:
          if (c == '"') {
            cell() += '"';
            state_ = state::quoted;
          } else if (c == ',') {
            new_cell();
            state_ = state::cell_start;
          } else {
            if (error_.empty())
              error_ = "cell " + std::to_string(count_) + ": unexpected text after the closing quote";
            state_ = state::after_close;
          }
          ++i;
          break;
        case state::after_close:
          if (c == ',') {
            new_cell();
            state_ = state::cell_start;
          }
          ++i;
          break;
      }
    }
    open_ = state_ == state::quoted;
    return !open_;
  }

  // At the end of the input: true when a record is left open by a quoted cell
  // that never closed (it is then complete, with an error).
  bool finish() {
    if (!open_) return false;
    open_ = false;
    if (error_.empty())
      error_ = "cell " + std::to_string(count_) + ": the quoted cell is not closed before the end of the input";
    return true;
  }

  [[nodiscard]] std::size_t size() const noexcept { return count_; }
  [[nodiscard]] std::string& operator[](std::size_t i) noexcept { return cells_[i]; }
  [[nodiscard]] std::uint64_t line() const noexcept { return line_; }
  [[nodiscard]] const std::string& error() const noexcept { return error_; }

 private:
  enum class state : std::uint8_t { cell_start, unquoted, quoted, quote_seen, after_close };

  void new_cell() {
    if (count_ == cells_.size()) cells_.emplace_back();
    else cells_[count_].clear();
    ++count_;
  }
  std::string& cell() noexcept { return cells_[count_ - 1]; }

  std::vector<std::string> cells_;
  std::size_t count_ = 0;
  std::string error_;
  std::uint64_t line_ = 0;
  state state_ = state::cell_start;
  bool open_ = false;
};

enum class column_role : std::uint8_t { id, at, event, attribute };
enum class column_type : std::uint8_t { string, number, boolean };

struct csv_column {
  std::string name;
  column_role role = column_role::attribute;
  column_type type = column_type::string;
};

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

std::optional<double> parse_number(std::string_view text) {
  text = detail::trim(text);
  if (text.empty()) return std::nullopt;
  double d = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

class csv_reader {
 public:
  explicit csv_reader(const read_options& options) : options_(options) {}

  void operator()(std::string_view line, std::uint64_t number) {
    if (splitter_.feed(line, number)) record();
  }

  void finish() {
    if (splitter_.finish()) record();
  }

  result<event_batch> take() {
    if (!have_header_ && header_errors_.empty())
      header_error(0, "no header row: the input needs a header with id, at and event columns");
    if (!header_errors_.empty()) return tl::unexpected(error(std::move(header_errors_)));
    return std::move(batch_);
  }

 private:
  void header_error(std::uint64_t line, std::string message) {
    diagnostic d;
    d.code = errc::parse_error;
    d.message = std::move(message);
    d.file = options_.source_name;
    d.line = static_cast<int>(line);
    header_errors_.push_back(std::move(d));
  }

  void record() {
    if (!have_header_) return header();
    if (!header_errors_.empty()) return;  // the input is refused anyway
    const std::uint64_t sequence = options_.first_sequence + batch_.rows++;
    const std::uint64_t line = splitter_.line();
    if (!splitter_.error().empty()) return reject(line, splitter_.error());
    if (splitter_.size() != columns_.size())
      return reject(line, "expected " + std::to_string(columns_.size()) + " cells, got " +
                              std::to_string(splitter_.size()));
    event e;
    problems_.clear();
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      const csv_column& col = columns_[i];
      std::string& cell = splitter_[i];
      switch (col.role) {
        case column_role::id:
          if (cell.empty()) problems_.emplace_back("id: missing");
          else e.id = std::move(cell);
          break;
        case column_role::at:
          if (cell.empty()) {
            problems_.emplace_back("at: missing");
          } else if (auto t = parse_event_instant(cell)) {
            e.at = *t;
          } else {
            problems_.push_back("at: " + t.error().message());
          }
          break;
        case column_role::event:
          if (cell.empty()) problems_.emplace_back("event: missing");
          else e.name = std::move(cell);
          break;
        case column_role::attribute: attribute(e, col, cell); break;
      }
    }
    if (!problems_.empty()) {
      std::string reason;
      for (const auto& p : problems_) {
        if (!reason.empty()) reason += "; ";
        reason += p;
      }
      return reject(line, std::move(reason));
    }
    e.sequence = sequence;
    e.line = line;
    batch_.events.push_back(std::move(e));
  }

  void attribute(event& e, const csv_column& col, std::string& cell) {
    if (cell.empty()) return;  // no change
    switch (col.type) {
      case column_type::string:
        e.updates.push_back(attribute_update{col.name, owned_value(value::string(cell))});
        return;
      case column_type::number: {
        if (detail::trim(cell) == "null") {
          e.updates.push_back(attribute_update{col.name, owned_value()});
        } else if (const auto d = parse_number(cell)) {
          e.updates.push_back(attribute_update{col.name, owned_value(value::number(*d))});
        } else {
          problems_.push_back("attribute " + single_quoted(col.name) + ": " + single_quoted(cell) + " is not a number");
        }
        return;
      }
      case column_type::boolean: {
        const std::string_view t = detail::trim(cell);
        if (t == "null") {
          e.updates.push_back(attribute_update{col.name, owned_value()});
        } else if (equals_ignoring_case(t, "true") || equals_ignoring_case(t, "false")) {
          e.updates.push_back(attribute_update{col.name, owned_value(value::boolean(t.size() == 4))});
        } else {
          problems_.push_back("attribute " + single_quoted(col.name) + ": " + single_quoted(cell) +
                              " is not a bool (expected true or false)");
        }
        return;
      }
    }
  }

  void reject(std::uint64_t line, std::string reason) {
    batch_.rejected.push_back(rejected_row{line, std::move(reason)});
  }

  void header() {
    have_header_ = true;
    const std::uint64_t line = splitter_.line();
    if (!splitter_.error().empty()) header_error(line, "header: " + splitter_.error());
    std::size_t first_of[3] = {0, 0, 0};  // 1-based column of id, at, event
    for (std::size_t i = 0; i < splitter_.size(); ++i) {
      const std::string_view cell = detail::trim(splitter_[i]);
      const std::string n = std::to_string(i + 1);
      csv_column col;
      std::string_view name = cell;
      if (const auto colon = cell.rfind(':'); colon != std::string_view::npos) {
        name = detail::trim(cell.substr(0, colon));
        const std::string_view type = detail::trim(cell.substr(colon + 1));
        if (type == "number") {
          col.type = column_type::number;
        } else if (type == "bool") {
          col.type = column_type::boolean;
        } else if (type != "string") {
          header_error(line, "column " + n + " " + single_quoted(cell) + ": unknown type " + single_quoted(type) +
                                 " (expected number, bool or string)");
        }
      }
      if (name.empty()) {
        header_error(line, "column " + n + " has no name");
        columns_.push_back(std::move(col));
        continue;
      }
      col.name = std::string(name);
      if (name == "id") col.role = column_role::id;
      else if (name == "at") col.role = column_role::at;
      else if (name == "event") col.role = column_role::event;
      if (col.role != column_role::attribute && col.type != column_type::string)
        header_error(line, "column " + n + " " + single_quoted(cell) + ": id, at and event take no number or bool type");
      for (std::size_t j = 0; j < columns_.size(); ++j) {
        if (columns_[j].name == col.name) {
          header_error(line, "column " + single_quoted(col.name) + " appears twice (columns " + std::to_string(j + 1) +
                                 " and " + n + ")");
          break;
        }
      }
      if (col.role != column_role::attribute) {
        auto& first = first_of[static_cast<int>(col.role)];
        if (first == 0) first = i + 1;
      }
      columns_.push_back(std::move(col));
    }
    static constexpr const char* required[3] = {"id", "at", "event"};
    for (int r = 0; r < 3; ++r) {
      if (first_of[r] == 0)
        header_error(line, std::string("the header has no '") + required[r] +
                               "' column (it needs id, at and event)");
    }
  }

  const read_options& options_;
  csv_splitter splitter_;
  std::vector<csv_column> columns_;
  bool have_header_ = false;
  std::vector<diagnostic> header_errors_;
  std::vector<std::string> problems_;
  event_batch batch_;
};

}  // namespace

// ---------------------------------------------------------------------------
// Public entry points

result<event> parse_event_json(std::string_view line) {
  event e;
  std::vector<std::string> problems;
  std::string reason;
  try {
    switch (parse_line(line, e, problems, reason)) {
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

result<event_batch> read_events_csv(std::string_view text, const read_options& options) {
  try {
    csv_reader reader(options);
    for_each_line(text, reader);
    reader.finish();
    return reader.take();
  } catch (const std::exception& ex) {
    return fail(errc::io_error, std::string("could not read the CSV input: ") + ex.what());
  }
}

result<event_batch> read_events_csv(std::istream& in, const read_options& options) {
  try {
    csv_reader reader(options);
    bool failed = false;
    const std::uint64_t last = for_each_line(in, reader, failed);
    if (failed) {
      std::string where = options.source_name.empty() ? std::string("the CSV input") : options.source_name;
      return fail(errc::io_error, "read error in " + where + " after line " + std::to_string(last));
    }
    reader.finish();
    return reader.take();
  } catch (const std::exception& ex) {
    return fail(errc::io_error, std::string("could not read the CSV input: ") + ex.what());
  }
}

}  // namespace duly
