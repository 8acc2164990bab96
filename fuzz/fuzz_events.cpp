// Fuzzes the event readers (duly/event.hpp): read_events_jsonl and
// read_events_csv on the whole input, from text and from a stream. Checks that
//  - every row is accounted for: rows == events + rejected;
//  - the stream and text overloads read the same;
//  - sequence numbers and line numbers increase through the input, rejected
//    rows have a reason and a line;
//  - each JSON Lines event is what parse_event_json makes of its line.
#include <duly/event.hpp>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.hpp"

namespace {

std::string show(const duly::event& e) {
  std::string out = e.id + " " + duly::format_instant(e.at) + " " + e.name + " {";
  for (std::size_t i = 0; i < e.updates.size(); ++i) {
    if (i) out += ", ";
    out += e.updates[i].name + "=" + e.updates[i].value.view().to_json();
  }
  return out + "}";
}

std::vector<std::string> show(const duly::event_batch& b) {
  std::vector<std::string> out;
  out.push_back("rows " + std::to_string(b.rows));
  for (const auto& e : b.events)
    out.push_back(show(e) + " #" + std::to_string(e.sequence) + " @" + std::to_string(e.line));
  for (const auto& r : b.rejected) out.push_back("rejected @" + std::to_string(r.line) + ": " + r.reason);
  return out;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t from = 0;
  while (from <= text.size()) {
    const std::size_t nl = text.find('\n', from);
    if (nl == std::string_view::npos) {
      out.push_back(text.substr(from));
      break;
    }
    out.push_back(text.substr(from, nl - from));
    from = nl + 1;
  }
  return out;
}

void check_batch(const duly::event_batch& b, std::uint64_t first_sequence, std::size_t line_count, const char* what) {
  DULY_FUZZ_CHECK(b.rows == b.events.size() + b.rejected.size(),
                  what << ": rows " << b.rows << " != events " << b.events.size() << " + rejected "
                       << b.rejected.size());
  for (std::size_t k = 0; k < b.events.size(); ++k) {
    const auto& e = b.events[k];
    DULY_FUZZ_CHECK(e.sequence >= first_sequence && e.sequence < first_sequence + b.rows,
                    what << ": sequence " << e.sequence << " outside the rows");
    DULY_FUZZ_CHECK(e.line >= 1 && e.line <= line_count, what << ": event line " << e.line << " of " << line_count);
    if (k > 0) {
      DULY_FUZZ_CHECK(b.events[k - 1].sequence < e.sequence, what << ": sequences do not increase at " << k);
      DULY_FUZZ_CHECK(b.events[k - 1].line < e.line, what << ": lines do not increase at " << k);
    }
  }
  for (std::size_t k = 0; k < b.rejected.size(); ++k) {
    const auto& r = b.rejected[k];
    DULY_FUZZ_CHECK(!r.reason.empty(), what << ": rejected row without a reason");
    DULY_FUZZ_CHECK(r.line >= 1 && r.line <= line_count, what << ": rejected line " << r.line << " of " << line_count);
    if (k > 0) DULY_FUZZ_CHECK(b.rejected[k - 1].line < r.line, what << ": rejected lines do not increase at " << k);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto lines = lines_of(text);
  duly::read_options options;
  options.source_name = "fuzz";
  options.first_sequence = size % 3 == 0 ? 0 : 1000;

  // JSON Lines.
  const duly::event_batch j = duly::read_events_jsonl(std::string_view(text), options);
  check_batch(j, options.first_sequence, lines.size(), "jsonl");
  {
    std::istringstream in(text);
    const duly::event_batch js = duly::read_events_jsonl(in, options);
    DULY_FUZZ_CHECK(show(js) == show(j), "jsonl: the stream reads differently from the text");
  }
  for (const auto& e : j.events) {
    std::string_view line = lines[e.line - 1];
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto one = duly::parse_event_json(line);
    DULY_FUZZ_CHECK(one.has_value(), "jsonl: line " << e.line << " is an event in the batch but parse_event_json "
                                                    << "rejects it: " << one.error().message());
    DULY_FUZZ_CHECK(show(*one) == show(e), "jsonl: line " << e.line << " reads as '" << show(e)
                                                          << "' in the batch and as '" << show(*one) << "' alone");
  }

  // CSV.
  const auto c = duly::read_events_csv(std::string_view(text), options);
  std::istringstream in(text);
  const auto cs = duly::read_events_csv(in, options);
  DULY_FUZZ_CHECK(c.has_value() == cs.has_value(), "csv: the stream reads differently from the text");
  if (!c) {
    DULY_FUZZ_CHECK(c.error().message() == cs.error().message(), "csv: the stream fails differently");
    (void)c.error().render();
    return 0;
  }
  check_batch(*c, options.first_sequence, lines.size(), "csv");
  DULY_FUZZ_CHECK(show(*cs) == show(*c), "csv: the stream reads differently from the text");
  return 0;
}
