// Reading a JSON array as a list value (not installed): a CSV cell of a list
// column, read with the rules of a list in JSON Lines (jsonl_reader.cpp), so
// that both inputs take and refuse the same lists with the same reasons.
#pragma once

#include <string_view>

#include <duly/error.hpp>
#include <duly/value.hpp>

namespace duly::detail {

// The list `text` holds: a JSON array of text, numbers and bools, at most
// event_check::max_list_items long. The error's message is the reason, e.g.
// "not a JSON array", "item 2 of the list is null: a list holds only ...".
[[nodiscard]] result<owned_value> read_json_list(std::string_view text);

}  // namespace duly::detail
