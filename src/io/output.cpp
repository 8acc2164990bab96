// Writing evaluations: JSON Lines (see docs/cli.md), CSV and a table for people.
#include <duly/io.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/json_writer.hpp"

namespace duly {

namespace {


using detail::json_object;

// Optional durations and instants: null when they do not apply.
json_object& field(json_object& o, std::string_view key, const std::optional<seconds>& d) {
  return d ? o.integer(key, d->count()) : o.null(key);
}
json_object& field(json_object& o, std::string_view key, const std::optional<instant>& t) {
  return t ? o.string(key, format_instant(*t)) : o.null(key);
}
// Text, or null when empty (no goal).
json_object& text_or_null(json_object& o, std::string_view key, std::string_view text) {
  return text.empty() ? o.null(key) : o.string(key, text);
}

// --- CSV --------------------------------------------------------------------

void append_csv_cell(std::string& out, std::string_view cell) {
  if (cell.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += cell;
    return;
  }
  out += '"';
  for (const char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

// Writes one CSV row of `cells`, using `line` as the buffer.
void write_csv_row(std::ostream& out, std::string& line, std::span<const std::string> cells) {
  line.clear();
  bool first = true;
  for (const auto& c : cells) {
    if (!first) line += ',';
    first = false;
    append_csv_cell(line, c);
  }
  line += '\n';
  out << line;
}

std::string csv_text(const std::optional<seconds>& d) { return d ? std::to_string(d->count()) : std::string(); }
std::string csv_text(const std::optional<instant>& t) { return t ? format_instant(*t) : std::string(); }

constexpr std::array<std::string_view, 15> csv_header = {
    "id",      "target",  "cycle",           "state",             "goal_seconds",   "goal",
    "zone",    "started", "stopped",         "due",               "breached_at",    "elapsed_seconds",
    "remaining_seconds",  "paused_seconds",  "next_wakeup"};

void write_csv(std::ostream& out, const evaluation& r) {
  std::string line;
  for (std::size_t i = 0; i < csv_header.size(); ++i) {
    if (i) line += ',';
    line += csv_header[i];
  }
  line += '\n';
  out << line;
  for (const timer_row& t : r.timers) {
    line.clear();
    const std::string cells[] = {t.id,
                                 t.target,
                                 std::to_string(t.cycle),
                                 std::string(to_string(t.state)),
                                 csv_text(t.goal_seconds),
                                 t.goal_text,
                                 t.zone.value_or(std::string()),
                                 csv_text(t.started),
                                 csv_text(t.stopped),
                                 csv_text(t.due),
                                 csv_text(t.breached_at),
                                 csv_text(t.elapsed_seconds),
                                 csv_text(t.remaining_seconds),
                                 csv_text(t.paused_seconds),
                                 csv_text(t.next_wakeup)};
    write_csv_row(out, line, cells);
  }
}

void write_csv_firings(std::ostream& out, std::span<const escalation_row> firings) {
  out << "id,target,escalation,cycle,point,fired_at,deliver_at,key,actions\n";
  std::string line;
  for (const escalation_row& e : firings) {
    line.clear();
    const std::string cells[] = {e.id,
                                 e.target,
                                 e.escalation,
                                 std::to_string(e.cycle),
                                 std::to_string(e.point),
                                 format_instant(e.fired_at),
                                 format_instant(e.delivery()),
                                 e.key(),
                                 e.actions_json.empty() ? std::string("[]") : e.actions_json};
    write_csv_row(out, line, cells);
  }
}

// --- table ------------------------------------------------------------------

// Text for a terminal: control characters are shown escaped, so that an id
// cannot move the cursor or change colours.
std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (u < 0x20 || u == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(u));
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

// Columns on screen: UTF-8 code points (wide characters count as one).
std::size_t display_width(std::string_view s) noexcept {
  std::size_t n = 0;
  for (const char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

// "2026-11-23 15:30Z", or "2026-11-23 15:30:05Z" when the seconds are not zero.
std::string compact_instant(instant t) {
  std::string s = format_instant(t);  // 2026-11-23T15:30:00Z
  if (s.size() == 20 && s[10] == 'T') {
    s[10] = ' ';
    if (s.compare(16, 3, ":00") == 0) s.erase(16, 3);
  }
  return s;
}

std::string table_text(const std::optional<instant>& t) { return t ? compact_instant(*t) : "-"; }
std::string table_text(const std::optional<seconds>& d) { return d ? human_duration(*d) : "-"; }

// The goal as the policy wrote it, beside the running time it became when that
// reads differently: "4h", "2bd (22h 45m)", "90m (1h 30m)".
std::string goal_text(const timer_row& row) {
  if (!row.goal_seconds) return row.goal_text.empty() ? "-" : printable(row.goal_text);
  std::string seconds_text = human_duration(*row.goal_seconds);
  if (row.goal_text.empty()) return seconds_text;
  std::string compact = seconds_text;
  std::erase(compact, ' ');
  if (compact == row.goal_text) return seconds_text;
  return printable(row.goal_text) + " (" + seconds_text + ")";
}

struct table {
  std::vector<std::string_view> headers;
  std::vector<bool> right;  // right-aligned columns
  std::vector<std::vector<std::string>> rows;

  void write(std::ostream& out, const std::vector<bool>& red = {}) const {
    std::vector<std::size_t> width(headers.size());
    for (std::size_t c = 0; c < headers.size(); ++c) width[c] = display_width(headers[c]);
    for (const auto& row : rows)
      for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], display_width(row[c]));
    std::string line;
    const auto cell = [&](std::string_view text, std::size_t c) {
      if (c) line += "  ";
      const std::size_t pad = width[c] - display_width(text);
      if (right[c]) line.append(pad, ' ');
      line += text;
      if (!right[c]) line.append(pad, ' ');
    };
    const auto flush = [&](bool colour) {
      while (!line.empty() && line.back() == ' ') line.pop_back();
      if (colour) out << "\x1b[31m" << line << "\x1b[0m\n";
      else out << line << '\n';
      line.clear();
    };
    for (std::size_t c = 0; c < headers.size(); ++c) cell(headers[c], c);
    flush(false);
    for (std::size_t r = 0; r < rows.size(); ++r) {
      for (std::size_t c = 0; c < rows[r].size(); ++c) cell(rows[r][c], c);
      flush(r < red.size() && red[r]);
    }
  }
};

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

void write_firings_table(std::ostream& out, std::span<const escalation_row> firings) {
  out << plural(firings.size(), "escalation", "escalations") << ":\n";
  if (firings.empty()) return;
  // DELIVER (the deliver_at of each firing) only when some firing is handed
  // over later than it fired (deliver_in): otherwise it would repeat FIRED.
  const bool held = std::any_of(firings.begin(), firings.end(),
                                [](const escalation_row& e) { return e.delivery() != e.fired_at; });
  table t;
  t.headers = {"FIRED", "ID", "TARGET", "ESCALATION", "CYCLE", "POINT", "ACTIONS"};
  t.right = {false, false, false, false, true, true, false};
  if (held) {
    t.headers.insert(t.headers.begin() + 1, "DELIVER");
    t.right.insert(t.right.begin() + 1, false);
  }
  for (const escalation_row& e : firings) {
    t.rows.push_back({compact_instant(e.fired_at), printable(e.id), printable(e.target), printable(e.escalation),
                      std::to_string(e.cycle), std::to_string(e.point),
                      e.actions_json.empty() ? std::string("[]") : printable(e.actions_json)});
    if (held) t.rows.back().insert(t.rows.back().begin() + 1, compact_instant(e.delivery()));
  }
  t.write(out);
}

void write_rejected_table(std::ostream& out, std::span<const rejected_row> rejected, bool blank_line_before) {
  if (rejected.empty()) return;
  if (blank_line_before) out << '\n';
  out << plural(rejected.size(), "rejected row", "rejected rows") << ":\n";
  for (const rejected_row& row : rejected) out << "line " << row.line << ": " << printable(row.reason) << '\n';
}

void write_table(std::ostream& out, const evaluation& r, const write_options& options) {
  if (!r.timers.empty()) {
    table t;
    t.headers = {" ", "ID", "TARGET", "CYCLE", "STATE", "GOAL", "STARTED", "DUE", "ELAPSED", "REMAINING", "PAUSED"};
    t.right = {false, false, false, true, false, true, false, false, true, true, true};
    std::vector<bool> red;
    for (const timer_row& row : r.timers) {
      const bool breached = row.state == timer_state::breached;
      t.rows.push_back({breached ? "!" : "", printable(row.id), printable(row.target), std::to_string(row.cycle),
                        std::string(to_string(row.state)), goal_text(row), table_text(row.started),
                        table_text(row.due), table_text(row.elapsed_seconds), table_text(row.remaining_seconds),
                        table_text(row.paused_seconds)});
      red.push_back(breached && options.color);
    }
    t.write(out, red);
  }

  // "12 timers: 3 breached, 5 met, 4 running": what needs attention first.
  static constexpr timer_state order[] = {timer_state::breached, timer_state::met,     timer_state::running,
                                          timer_state::paused,   timer_state::pending, timer_state::cancelled,
                                          timer_state::reset};
  std::string summary = plural(r.timers.size(), "timer", "timers");
  bool first = true;
  for (const timer_state s : order) {
    const auto n = static_cast<std::size_t>(
        std::count_if(r.timers.begin(), r.timers.end(), [s](const timer_row& row) { return row.state == s; }));
    if (n == 0) continue;
    summary += first ? ": " : ", ";
    first = false;
    summary += std::to_string(n);
    summary += ' ';
    summary += to_string(s);
  }
  out << summary << '\n';

  if (!r.escalations.empty()) {
    out << '\n';
    write_firings_table(out, r.escalations);
  }
  write_rejected_table(out, r.rejected, true);
}

}  // namespace

std::string to_json(const timer_row& row) {
  json_object o;
  o.string("kind", "timer").string("id", row.id).string("target", row.target).integer("cycle", row.cycle);
  o.string("state", to_string(row.state));
  field(o, "goal_seconds", row.goal_seconds);
  text_or_null(o, "goal", row.goal_text);
  text_or_null(o, "zone", row.zone.value_or(std::string()));
  field(o, "started", row.started);
  field(o, "stopped", row.stopped);
  field(o, "due", row.due);
  field(o, "breached_at", row.breached_at);
  field(o, "elapsed_seconds", row.elapsed_seconds);
  field(o, "remaining_seconds", row.remaining_seconds);
  field(o, "paused_seconds", row.paused_seconds);
  field(o, "next_wakeup", row.next_wakeup);
  return std::move(o).str();
}

std::string to_json(const escalation_row& row) {
  json_object o;
  o.string("kind", "escalation").string("id", row.id).string("target", row.target);
  o.string("escalation", row.escalation).integer("cycle", row.cycle).integer("point", row.point);
  o.string("fired_at", format_instant(row.fired_at)).string("deliver_at", format_instant(row.delivery()));
  o.string("key", row.key());
  o.raw("actions", row.actions_json.empty() ? std::string_view("[]") : std::string_view(row.actions_json));
  return std::move(o).str();
}

std::string to_json(const rejected_row& row) {
  json_object o;
  o.string("kind", "rejected").integer("line", static_cast<std::int64_t>(row.line)).string("reason", row.reason);
  return std::move(o).str();
}

std::string human_duration(seconds d) {
  const std::int64_t n = d.count();
  // The magnitude as unsigned, so that the most negative value does not overflow.
  std::uint64_t left = n < 0 ? ~static_cast<std::uint64_t>(n) + 1 : static_cast<std::uint64_t>(n);
  if (left == 0) return "0s";
  static constexpr std::pair<std::uint64_t, char> units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
  std::string out = n < 0 ? "-" : "";
  int shown = 0;
  for (const auto& [size, letter] : units) {
    const std::uint64_t k = left / size;
    left %= size;
    if (k == 0) continue;
    if (shown) out += ' ';
    out += std::to_string(k);
    out += letter;
    if (++shown == 2) break;
  }
  return out;
}

std::string to_json(const explain_entry& entry, std::string_view id) {
  json_object o;
  o.string("kind", "explain").string("id", id).string("at", format_instant(entry.at));
  o.string("what", to_string(entry.type));
  if (entry.type == explain_entry::kind::event) {
    o.null("target").null("cycle").string("event", entry.event);
    if (entry.line > 0) o.integer("line", static_cast<std::int64_t>(entry.line));
    else o.null("line");
  } else {
    o.string("target", entry.target).integer("cycle", entry.cycle).null("event").null("line");
  }
  o.string("detail", entry.detail);
  return std::move(o).str();
}

void write_explanation(std::ostream& out, const explanation& e, output_format format) {
  if (format != output_format::table) {
    for (const auto& x : e.entries) out << to_json(x, e.id) << '\n';
    for (const auto& t : e.timers) out << to_json(t) << '\n';
    for (const auto& f : e.escalations) out << to_json(f) << '\n';
    return;
  }
  if (e.entries.empty()) {
    out << "Record " << printable(e.id) << ": no events at or before as_of.\n";
    return;
  }
  out << "Timeline of " << printable(e.id) << " (UTC)\n";
  std::size_t what_width = 4, who_width = 6;
  std::vector<std::string> who(e.entries.size());
  for (std::size_t i = 0; i < e.entries.size(); ++i) {
    const auto& x = e.entries[i];
    who[i] = x.type == explain_entry::kind::event ? std::string() : printable(x.target) + " #" + std::to_string(x.cycle);
    what_width = std::max(what_width, to_string(x.type).size());
    who_width = std::max(who_width, who[i].size());
  }
  const auto pad = [](std::string s, std::size_t w) {
    if (s.size() < w) s.append(w - s.size(), ' ');
    return s;
  };
  out << pad("AT", 20) << "  " << pad("WHAT", what_width) << "  " << pad("TARGET", who_width) << "  DETAIL\n";
  for (std::size_t i = 0; i < e.entries.size(); ++i) {
    const auto& x = e.entries[i];
    std::string detail;
    if (x.type == explain_entry::kind::event) {
      detail = "'" + printable(x.event) + "'";
      if (x.line > 0) detail += " (line " + std::to_string(x.line) + ")";
      detail += x.detail.empty() ? std::string(" no attribute updates") : ": " + printable(x.detail);
    } else {
      detail = printable(x.detail);
    }
    out << pad(format_instant(x.at), 20) << "  " << pad(std::string(to_string(x.type)), what_width) << "  "
        << pad(who[i], who_width) << "  " << detail << '\n';
  }
  out << '\n';
  evaluation summary;
  summary.timers = e.timers;
  summary.escalations = e.escalations;
  write_table(out, summary, write_options{});
}

void write_evaluation(std::ostream& out, const evaluation& result, output_format format,
                      const write_options& options) {
  switch (format) {
    case output_format::jsonl: {
      for (const auto& t : result.timers) out << to_json(t) << '\n';
      for (const auto& e : result.escalations) out << to_json(e) << '\n';
      for (const auto& r : result.rejected) out << to_json(r) << '\n';
      return;
    }
    case output_format::csv: write_csv(out, result); return;
    case output_format::table: write_table(out, result, options); return;
  }
}

void write_rejected(std::ostream& out, std::span<const rejected_row> rejected, output_format format) {
  switch (format) {
    case output_format::jsonl:
      for (const auto& r : rejected) out << to_json(r) << '\n';
      return;
    case output_format::csv: return;
    case output_format::table: write_rejected_table(out, rejected, true); return;
  }
}

void write_firings(std::ostream& out, std::span<const escalation_row> firings,
                   std::span<const rejected_row> rejected, output_format format) {
  switch (format) {
    case output_format::jsonl: {
      for (const auto& e : firings) out << to_json(e) << '\n';
      for (const auto& r : rejected) out << to_json(r) << '\n';
      return;
    }
    case output_format::csv: write_csv_firings(out, firings); return;
    case output_format::table:
      write_firings_table(out, firings);
      write_rejected_table(out, rejected, true);
      return;
  }
}

}  // namespace duly
