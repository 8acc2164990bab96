// Writing outbox entries (duly/store.hpp): JSON Lines, CSV and a table.
#include <duly/io.hpp>
#include <duly/store.hpp>
#include <duly/value.hpp>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace duly {
namespace {

// A CSV cell: quoted when it holds a comma, a quote or a line break.
std::string csv_cell(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string_view actions_of(const outbox_entry& e) {
  return e.row.actions_json.empty() ? std::string_view("[]") : std::string_view(e.row.actions_json);
}

}  // namespace

std::string to_json(const outbox_entry& entry) {
  const auto text = [](std::string_view v) { return value::string(v).to_json(); };
  const escalation_row& r = entry.row;
  std::string out = "{\"kind\":" + text(entry.kind);
  if (entry.kind == "withdrawal") {
    out += ",\"key\":" + text(entry.key) + ",\"id\":" + text(r.id) + ",\"target\":" + text(r.target) +
           ",\"escalation\":" + text(r.escalation) + ",\"point\":" + std::to_string(r.point) +
           ",\"fired_at\":\"" + format_instant(r.fired_at) + "\",\"deliver_at\":\"" + format_instant(r.delivery()) +
           "\",\"actions\":" + std::string(actions_of(entry)) +
           ",\"reason\":" + text(entry.reason);
  } else {
    // The escalation line of duly/io.hpp, with the key as it was reported.
    out += ",\"id\":" + text(r.id) + ",\"target\":" + text(r.target) + ",\"escalation\":" + text(r.escalation) +
           ",\"cycle\":" + std::to_string(r.cycle) + ",\"point\":" + std::to_string(r.point) + ",\"fired_at\":\"" +
           format_instant(r.fired_at) + "\",\"deliver_at\":\"" + format_instant(r.delivery()) + "\",\"key\":" +
           text(entry.key) + ",\"actions\":" + std::string(actions_of(entry));
  }
  out += ",\"cursor\":" + std::to_string(entry.cursor) + "}";
  return out;
}

void write_outbox(std::ostream& out, std::span<const outbox_entry> entries, output_format format) {
  switch (format) {
    case output_format::jsonl:
      for (const auto& e : entries) out << to_json(e) << '\n';
      return;
    case output_format::csv:
      out << "cursor,kind,key,id,target,escalation,cycle,point,fired_at,deliver_at,actions,reason\n";
      for (const auto& e : entries)
        out << e.cursor << ',' << csv_cell(e.kind) << ',' << csv_cell(e.key) << ',' << csv_cell(e.row.id) << ','
            << csv_cell(e.row.target) << ',' << csv_cell(e.row.escalation) << ',' << e.row.cycle << ','
            << e.row.point << ',' << format_instant(e.row.fired_at) << ',' << format_instant(e.row.delivery()) << ','
            << csv_cell(actions_of(e)) << ','
            << csv_cell(e.reason) << '\n';
      return;
    case output_format::table: {
      std::vector<std::array<std::string, 6>> rows;
      rows.push_back({"CURSOR", "KIND", "KEY", "FIRED_AT", "DELIVER_AT", "ACTIONS (WITHDRAWALS: REASON)"});
      for (const auto& e : entries)
        rows.push_back({std::to_string(e.cursor), e.kind, e.key, format_instant(e.row.fired_at),
                        format_instant(e.row.delivery()), e.kind == "withdrawal" ? e.reason : std::string(actions_of(e))});
      std::array<std::size_t, 6> width{};
      for (const auto& r : rows)
        for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
      for (const auto& r : rows) {
        std::string line;
        for (std::size_t i = 0; i < r.size(); ++i) {
          line += r[i];
          if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
        }
        out << line << '\n';
      }
      return;
    }
  }
}

}  // namespace duly
