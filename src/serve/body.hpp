// Request bodies of POST /v1/events: JSON Lines, a JSON array or CSV, read
// into an event batch within the service's limits, or the reason the body
// cannot be taken at all (a status, a stable code and a message naming where).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <duly/event.hpp>
#include <tl/expected.hpp>

namespace duly::serve {

struct body_limits {
  std::size_t max_body_bytes = 64u << 20;  // 64 MiB
  std::size_t max_line_bytes = 1u << 20;   // 1 MiB per line (per element of a JSON array)
  std::size_t max_rows = 100'000;          // rows (events) per request
};

// Why a request cannot be taken: answered with `status` and the JSON error
// {"code": code, "message": message}.
struct problem {
  int status = 400;
  std::string code;
  std::string message;
};

template <class T>
using answer = tl::expected<T, problem>;

enum class body_kind { jsonl, json_array, csv };

// The kind of a body from its Content-Type (parameters such as charset are
// ignored): application/x-ndjson, application/jsonl -> JSON Lines; text/csv ->
// CSV; application/json -> a JSON array when the body starts with '[', else
// JSON Lines (one object is one line); no Content-Type -> by the first
// character ('[' array, '{' JSON Lines, else CSV). Others: 415.
[[nodiscard]] answer<body_kind> kind_of(std::string_view content_type, std::string_view body);

// The first byte that is not part of valid UTF-8, or npos.
[[nodiscard]] std::size_t invalid_utf8_at(std::string_view text);

// Reads a body of `kind`. A row that cannot become an event is in the batch's
// `rejected`, with its line (for a JSON array, its position in the array,
// counted from 1). The whole body is refused (nothing of it is stored) when it
// is larger than the limits (413: body_too_large, line_too_long,
// too_many_rows), not UTF-8 text, not a JSON array when it says it is one, or
// a CSV without the id, at and event columns (400). `options` are the
// readers' (the policy's declared attributes: a value of the wrong type is a
// rejected row, as in `duly run`).
[[nodiscard]] answer<event_batch> read_body(std::string_view body, body_kind kind, const body_limits& limits,
                                            const read_options& options = {});

// The limits checks on their own (used by the mapping path too).
[[nodiscard]] answer<void> check_size(std::string_view body, const body_limits& limits);

}  // namespace duly::serve
