// Events for the hand-written scenario tables of engine_scenario_test.cpp and
// escalation_scenario_test.cpp: a record id, an instant as text, an event name
// and attribute updates as plain C++ values.
#pragma once

#include <duly/duly.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace duly_test {

// An attribute update's value: null, bool, number or string.
using attr = std::variant<std::nullptr_t, bool, double, std::string>;

struct ev {
  std::string id;
  std::string at;  // instant text, read by the test file's own parser
  std::string name;
  std::vector<std::pair<std::string, attr>> set = {};
  std::optional<std::uint64_t> sequence = {};  // default: the position in the list
};

// The events of `list`, their instants read by `parse`.
inline std::vector<duly::event> make_events(const std::vector<ev>& list, duly::instant (*parse)(std::string_view)) {
  std::vector<duly::event> out;
  out.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const ev& e = list[i];
    duly::event x;
    x.id = e.id;
    x.at = parse(e.at);
    x.name = e.name;
    x.sequence = e.sequence ? *e.sequence : i;
    for (const auto& [name, v] : e.set) {
      duly::value val;
      if (std::holds_alternative<bool>(v)) val = duly::value::boolean(std::get<bool>(v));
      else if (std::holds_alternative<double>(v)) val = duly::value::number(std::get<double>(v));
      else if (std::holds_alternative<std::string>(v)) val = duly::value::string(std::get<std::string>(v));
      x.updates.push_back({name, duly::owned_value(val)});
    }
    out.push_back(std::move(x));
  }
  return out;
}

}  // namespace duly_test
