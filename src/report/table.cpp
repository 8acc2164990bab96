// The attainment rows as a table for people, CSV or JSON Lines (write_report).
#include <duly/report.hpp>

#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

#include "base/json_writer.hpp"
#include "report/report_text.hpp"

namespace duly {
namespace {

using namespace report_detail;

std::string optional_seconds(const std::optional<seconds>& s) { return s ? std::to_string(s->count()) : ""; }

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

void write_csv(std::ostream& out, const report& r) {
  std::vector<std::string> header = {"target", "kind", "supports"};
  if (!r.by.empty()) header.push_back(r.by);
  for (const char* c : {"cycles", "met", "breached", "no_goal", "open", "cancelled", "reset", "pending", "attainment",
                        "p50_seconds", "p90_seconds", "running_seconds", "running_wall_seconds", "paused_seconds"})
    header.emplace_back(c);
  std::string line;
  const auto flush = [&](const std::vector<std::string>& cells) {
    line.clear();
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i) line += ',';
      append_csv_cell(line, cells[i]);
    }
    line += '\n';
    out << line;
  };
  flush(header);
  for (const attainment_row& a : r.rows) {
    std::vector<std::string> cells = {a.target, a.kind, a.supports};
    if (!r.by.empty()) cells.push_back(value_text(a.by_value.view(), ""));
    for (const std::int64_t n : {a.cycles, a.met, a.breached, a.no_goal, a.open, a.cancelled, a.reset, a.pending})
      cells.push_back(std::to_string(n));
    cells.push_back(attainment_number(a.met, a.met + a.breached));
    cells.push_back(optional_seconds(a.p50));
    cells.push_back(optional_seconds(a.p90));
    for (const std::int64_t n : {a.running_seconds, a.running_wall_seconds, a.paused_seconds})
      cells.push_back(std::to_string(n));
    flush(cells);
  }
}

void write_jsonl(std::ostream& out, const report& r) {
  for (const attainment_row& a : r.rows) {
    detail::json_object o;
    o.string("kind", "attainment").string("target", a.target);
    a.kind.empty() ? o.null("target_kind") : o.string("target_kind", a.kind);
    a.supports.empty() ? o.null("supports") : o.string("supports", a.supports);
    std::string line = std::move(o).str();
    line.pop_back();  // the closing brace: the by value and the counts follow
    if (!r.by.empty()) {
      line += ',';
      detail::append_json_string(line, r.by);
      line += ':';
      detail::append_json_value(line, a.by_value.view());
    }
    const auto integer = [&](std::string_view key, std::int64_t n) {
      line += ",\"";
      line += key;
      line += "\":";
      line += std::to_string(n);
    };
    integer("cycles", a.cycles);
    integer("met", a.met);
    integer("breached", a.breached);
    integer("no_goal", a.no_goal);
    integer("open", a.open);
    integer("cancelled", a.cancelled);
    integer("reset", a.reset);
    integer("pending", a.pending);
    const std::string att = attainment_number(a.met, a.met + a.breached);
    line += ",\"attainment\":" + (att.empty() ? std::string("null") : att);
    line += ",\"p50_seconds\":" + (a.p50 ? std::to_string(a.p50->count()) : std::string("null"));
    line += ",\"p90_seconds\":" + (a.p90 ? std::to_string(a.p90->count()) : std::string("null"));
    integer("running_seconds", a.running_seconds);
    integer("running_wall_seconds", a.running_wall_seconds);
    integer("paused_seconds", a.paused_seconds);
    line += "}\n";
    out << line;
  }
}

// Columns on screen: code points (wide characters count as one).
std::size_t width_of(std::string_view s) { return code_points(s); }

// Text for a terminal: control characters shown escaped.
std::string printable(std::string_view s) {
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  return out;
}

void write_table(std::ostream& out, const report& r) {
  std::vector<std::string> headers = {"TARGET"};
  if (!r.by.empty()) headers.push_back(printable(r.by));
  for (const char* c : {"CYCLES", "MET", "BREACHED", "NO GOAL", "OPEN", "CANCELLED", "RESET", "PENDING", "ATTAINMENT",
                        "P50", "P90"})
    headers.emplace_back(c);
  const std::size_t first_number = r.by.empty() ? 1 : 2;
  std::vector<std::vector<std::string>> rows;
  for (const attainment_row& a : r.rows) {
    std::vector<std::string> cells = {printable(a.target)};
    if (!r.by.empty()) cells.push_back(printable(value_text(a.by_value.view(), "-")));
    for (const std::int64_t n : {a.cycles, a.met, a.breached, a.no_goal, a.open, a.cancelled, a.reset, a.pending})
      cells.push_back(std::to_string(n));
    const std::int64_t judged = a.met + a.breached;
    cells.push_back(judged > 0 ? percent_text(a.met, judged) + " (" + std::to_string(a.met) + "/" +
                                     std::to_string(judged) + ")"
                               : "-");
    cells.push_back(a.p50 ? exact_duration(*a.p50) : "-");
    cells.push_back(a.p90 ? exact_duration(*a.p90) : "-");
    rows.push_back(std::move(cells));
  }
  std::vector<std::size_t> width(headers.size());
  for (std::size_t c = 0; c < headers.size(); ++c) width[c] = width_of(headers[c]);
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], width_of(row[c]));
  const auto write_row = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (c) line += "  ";
      const std::size_t pad = width[c] - width_of(cells[c]);
      if (c >= first_number) line.append(pad, ' ');
      line += cells[c];
      if (c < first_number) line.append(pad, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  };
  write_row(headers);
  for (const auto& row : rows) write_row(row);
  std::int64_t cycles = 0, breached = 0;
  for (const attainment_row& a : r.targets) {
    cycles += a.cycles;
    breached += a.breached;
  }
  out << r.targets.size() << (r.targets.size() == 1 ? " target" : " targets") << ", " << cycles
      << (cycles == 1 ? " cycle" : " cycles") << ", " << breached << " breached, as of " << format_instant(r.as_of)
      << '\n';
}

}  // namespace

void write_report(std::ostream& out, const report& r, output_format format) {
  switch (format) {
    case output_format::csv: write_csv(out, r); break;
    case output_format::jsonl: write_jsonl(out, r); break;
    case output_format::table: write_table(out, r); break;
  }
}

}  // namespace duly
