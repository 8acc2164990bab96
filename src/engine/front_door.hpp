// The one front door of the engine (not installed): how every entry point
// (evaluate over events, evaluate over columns, the incremental evaluator and
// explain) groups its input into records and folds their results.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <duly/evaluate.hpp>

#include "engine/record.hpp"

namespace duly::detail {

// The rows of a batch at or before as_of, by record: records in ascending id
// order, each record's rows in (at, sequence) order, ties in row order.
struct record_groups {
  std::vector<std::string_view> ids;  // per record
  std::vector<std::size_t> start;     // record r's rows are rows[start[r], start[r + 1])
  std::vector<std::size_t> rows;
  std::uint64_t ignored = 0;  // rows after as_of
  [[nodiscard]] std::span<const std::size_t> rows_of(std::size_t r) const {
    return std::span<const std::size_t>(rows).subspan(start[r], start[r + 1] - start[r]);
  }
};

// Events grouped by record; with `only`, the rows of that record alone (the
// others are neither grouped nor counted).
[[nodiscard]] record_groups group_events(std::span<const event> events, instant as_of,
                                         std::optional<std::string_view> only = std::nullopt);

// Reports a record whose events `engine` has applied into `out`: its rows,
// firings, pauses (and segments), its events counted as applied, and its
// next_wakeup folded into the evaluation's.
void finish_record(const record_engine& engine, std::string_view id, instant as_of, evaluation& out,
                   bool segments = false);

// (at, fraction, sequence) order of events, the order a record applies them
// in: the full-precision instant, ties in input order.
[[nodiscard]] inline bool applies_before(const event& a, const event& b) noexcept {
  if (a.at != b.at) return a.at < b.at;
  return a.fraction != b.fraction ? a.fraction < b.fraction : a.sequence < b.sequence;
}

}  // namespace duly::detail
