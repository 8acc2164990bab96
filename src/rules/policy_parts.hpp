// The small grammars inside a policy (not installed): the names it gives,
// escalation points ("75%", "due - 1h", "start + 30m", "at_risk", "manual") and
// `do` lists, which are handed back to the host as JSON text; and where a node
// was written, for the parts of the spec (policy.cpp, policy_attributes.cpp).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include <duly/error.hpp>
#include <duly/policy.hpp>

namespace duly::detail {

// A name a policy gives (an attribute, a calendar, a target): letters, digits,
// _, - and ., not empty.
[[nodiscard]] bool is_identifier(std::string_view s);

// Where `node` was written in `file` (1-based; 0 when the node has no mark).
[[nodiscard]] source_position where(const YAML::Node& node, const std::string& file);

// An escalation's `at`, or why it is not one ("invalid point '...': ...").
[[nodiscard]] result<escalation_point> parse_point(std::string_view text);

inline constexpr std::size_t max_actions_bytes = 65536;

// The node as compact JSON through the one JSON writer (plain scalars that read
// as numbers or booleans stay numbers and booleans). Stops (budget = 0) past
// max_actions_bytes or 64 levels, so YAML aliases that expand exponentially
// cannot hang the reader; call with budget = max_actions_bytes, depth 0.
[[nodiscard]] std::string actions_json(const YAML::Node& n, std::size_t& budget, int depth);

}  // namespace duly::detail
