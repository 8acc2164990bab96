// Reading events from CSV (RFC 4180): a header row with id, at, event and
// attribute columns; an empty cell means "no change" (or, for id, at and event,
// a missing field).
//
// A small RFC 4180 state machine is fed one physical line at a time, so a
// quoted cell may span lines. The cells of a row go through the one validator,
// event_check (event_check.cpp); what is CSV's own (the header, the cell count,
// quoting, typed columns) is checked here.
#include <duly/event.hpp>

#include <charconv>
#include <cmath>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "io/json_list.hpp"
#include "io/lines.hpp"

namespace duly {

namespace {

using detail::for_each_line;
using detail::is_blank;

std::string single_quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '\'';
  out += text;
  out += '\'';
  return out;
}

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
// number_or_string: a declared duration without a type in the header, whose
// cells that read as numbers are seconds.
enum class column_type : std::uint8_t { string, number, boolean, list, number_or_string };

struct csv_column {
  std::string name;
  column_role role = column_role::attribute;
  column_type type = column_type::string;
  bool typed = false;  // the header gave the type (`name:string`)
};

// A cell of an untyped column that reads as a JSON array: text, or a list?
// Neither guess is safe, so the row is rejected with the two ways to say it.
bool looks_like_list(std::string_view cell) noexcept {
  const std::string_view t = detail::trim(cell);
  return t.size() >= 2 && t.front() == '[' && t.back() == ']';
}

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

// "-123", "42": digits alone, with an optional minus sign.
bool is_integer_text(std::string_view text) {
  text = detail::trim(text);
  if (!text.empty() && text.front() == '-') text.remove_prefix(1);
  if (text.empty()) return false;
  for (const char c : text)
    if (c < '0' || c > '9') return false;
  return true;
}

// Whether integer text (is_integer_text) is within 2^53 of zero, read exactly
// (as a double, 2^53 + 1 would round to 2^53 and pass).
bool exact_integer_text(std::string_view text) {
  text = detail::trim(text);
  std::int64_t i = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
  return ec == std::errc() && end == text.data() + text.size() && event_check::exact_integer(i);
}

class csv_reader {
 public:
  explicit csv_reader(const read_options& options) : options_(options) {
    check_.set_zone(options.zone);
    check_.set_declared(options.declared);
  }

  void operator()(std::string_view line, std::uint64_t number) {
    if (line.size() > max_event_line_bytes && have_header_) {
      ++batch_.rows;
      return reject(number, line_too_long(line.size()));
    }
    if (splitter_.feed(line, number)) record();
  }

  void finish() {
    if (splitter_.finish()) record();
  }

  result<event_batch> take() {
    // An input without a header has no record at all (0 bytes, blank lines):
    // an empty export, zero events.
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
    using field = event_check::field;
    check_.start(e);
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      const csv_column& col = columns_[i];
      std::string& cell = splitter_[i];
      // An empty cell is a missing field (CSV has no other way to leave one out).
      switch (col.role) {
        case column_role::id:
          if (cell.empty()) check_.missing(field::id);
          else check_.id(std::move(cell));
          break;
        case column_role::at:
          if (cell.empty()) check_.missing(field::at);
          else check_.at(cell);
          break;
        case column_role::event:
          if (cell.empty()) check_.missing(field::event);
          else check_.name(std::move(cell));
          break;
        case column_role::attribute: attribute(col, cell); break;
      }
    }
    if (!check_.finish()) return reject(line, check_.reason(), std::move(e.id));
    e.sequence = sequence;
    e.line = line;
    batch_.events.push_back(std::move(e));
  }

  void attribute(const csv_column& col, std::string& cell) {
    if (cell.empty()) return;  // no change
    switch (col.type) {
      case column_type::string:
        if (!col.typed && looks_like_list(cell))
          return check_.attribute_problem(col.name, "'" + std::string(detail::trim(cell)) +
                                                        "' may be a list or text: name the column '" + col.name +
                                                        ":list' to read JSON arrays as lists, or '" + col.name +
                                                        ":string' to keep the text");
        return check_.attribute(col.name, owned_value(value::string(cell)));
      case column_type::list: {
        if (detail::trim(cell) == "null") return check_.attribute(col.name, owned_value());
        auto list = detail::read_json_list(cell);
        if (!list)
          return check_.attribute_problem(
              col.name, list.error().message() + " (a list column's cell is a JSON array such as [\"vip\", \"billing\"])");
        return check_.attribute(col.name, std::move(*list));
      }
      case column_type::number_or_string:
        if (const auto d = parse_number(cell); d && !(is_integer_text(cell) && !exact_integer_text(cell)))
          return check_.attribute(col.name, owned_value(value::number(*d)));
        return check_.attribute(col.name, owned_value(value::string(cell)));
      case column_type::number: {
        if (detail::trim(cell) == "null") return check_.attribute(col.name, owned_value());
        if (const auto d = parse_number(cell)) {
          if (is_integer_text(cell) && !exact_integer_text(cell))
            return check_.attribute_problem(col.name, event_check::inexact_integer(detail::trim(cell)));
          return check_.attribute(col.name, owned_value(value::number(*d)));
        }
        return check_.attribute_problem(col.name, event_check::not_a_number(cell));
      }
      case column_type::boolean: {
        const std::string_view t = detail::trim(cell);
        if (t == "null") return check_.attribute(col.name, owned_value());
        if (equals_ignoring_case(t, "true") || equals_ignoring_case(t, "false"))
          return check_.attribute(col.name, owned_value(value::boolean(t.size() == 4)));
        return check_.attribute_problem(col.name, event_check::not_a_bool(cell));
      }
    }
  }

  // `id`: the row's record, when it gave a valid one.
  void reject(std::uint64_t line, std::string reason, std::string id = {}) {
    batch_.rejected.push_back(rejected_row{line, std::move(reason), std::move(id)});
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
        col.typed = true;
        if (type == "number") {
          col.type = column_type::number;
        } else if (type == "bool") {
          col.type = column_type::boolean;
        } else if (type == "list") {
          col.type = column_type::list;
        } else if (type != "string") {
          header_error(line, "column " + n + " " + single_quoted(cell) + ": unknown type " + single_quoted(type) +
                                 " (expected number, bool, list or string)");
        }
      }
      if (name.empty()) {
        header_error(line, "column " + n + " has no name");
        columns_.push_back(std::move(col));
        continue;
      }
      col.name = std::string(name);
      // A column without a type takes its declared attribute's: number, bool
      // and list cells are read as with `:number`, `:bool` and `:list`, a text
      // cell as with `:string` (a JSON array is then text, not a question),
      // duration cells that are numbers as seconds; instants stay text.
      if (!col.typed && name != "id" && name != "at" && name != "event") {
        if (const attribute_spec* a = check_.declared(col.name)) {
          switch (a->type) {
            case attribute_type::number: col.type = column_type::number; break;
            case attribute_type::boolean: col.type = column_type::boolean; break;
            case attribute_type::list: col.type = column_type::list; break;
            case attribute_type::duration: col.type = column_type::number_or_string; break;
            case attribute_type::text: col.typed = true; break;
            case attribute_type::timestamp: break;
          }
        }
      }
      if (name == "id") col.role = column_role::id;
      else if (name == "at") col.role = column_role::at;
      else if (name == "event") col.role = column_role::event;
      if (col.role != column_role::attribute && col.type != column_type::string)
        header_error(line, "column " + n + " " + single_quoted(cell) + ": id, at and event take no number, bool or list type");
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
  event_check check_;
  event_batch batch_;
};


}  // namespace

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
