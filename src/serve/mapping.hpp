// Mapping files (`duly serve --mapping FILE`): how a system's own webhook
// JSON becomes events, per source, for POST /v1/ingest/{source}.
//
//   sources:
//     erpnext_sales_order:
//       zone: Europe/Berlin            # `at` text without an offset is wall-clock time here
//       id: /doc/name                  # a JSON Pointer into the payload
//       at: /doc/modified
//       event: {pointer: /event, map: {on_submit: submitted, on_cancel: cancelled}}
//       attributes:
//         status: /doc/status
//         customer: /doc/customer
//         source: {const: erpnext}     # a constant
//
// A field is a JSON Pointer (text starting with '/'), {pointer: P} with an
// optional `map` of values and a `default`, or {const: VALUE}. `each: P`
// makes one event per element of the array at P (pointers then start at the
// element). The schema is schemas/mapping.schema.json.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <duly/error.hpp>
#include <duly/event.hpp>
#include <duly/zone.hpp>
#include <nlohmann/json.hpp>

namespace duly::serve {

struct field_spec {
  bool constant = false;
  nlohmann::json::json_pointer pointer;
  std::string pointer_text;
  nlohmann::json value;                          // the constant
  std::map<std::string, nlohmann::json> values;  // map: payload text -> value
  std::optional<nlohmann::json> fallback;        // default
};

struct source_mapping {
  std::string name;
  std::optional<time_zone> zone;
  std::optional<nlohmann::json::json_pointer> each;
  std::string each_text;
  field_spec id, at, event;
  std::vector<std::pair<std::string, field_spec>> attributes;
};

struct mapping {
  std::map<std::string, source_mapping> sources;
};

// Loads and checks a mapping file (YAML or JSON). Every problem is reported at
// once, each as "FILE:LINE:COLUMN: PATH: message" (errc::parse_error).
[[nodiscard]] result<mapping> load_mapping(const std::string& path);
[[nodiscard]] result<mapping> parse_mapping(const std::string& text, const std::string& name);

// The events of one payload (or of each element of a JSON array of payloads):
// a payload that does not give id, at or event is a rejected row, with its
// position (counted from 1) as its line and the field that failed. An
// attribute whose pointer is not in the payload is left unchanged.
[[nodiscard]] event_batch apply_mapping(const source_mapping& source, const nlohmann::json& payloads,
                                        const read_options& options = {});

}  // namespace duly::serve
