// The engine's front door: the batch calls over events and over columns, and
// the incremental evaluator. All of them group rows into records the same way
// (group_rows: a counting sort on the record's id code, records in id order,
// rows in (at, sequence) order), apply each record's rows to one
// record_engine, and fold its results with finish_record. The batch calls may
// split the records over threads (evaluate_options::threads): records are
// independent, so each thread takes a contiguous run of them.
#include <duly/evaluate.hpp>

#include <algorithm>
#include <deque>
#include <exception>
#include <iterator>
#include <map>
#include <memory>
#include <numeric>
#include <thread>
#include <unordered_map>

#include "engine/front_door.hpp"

namespace duly {
namespace detail {

namespace {

// The first eight bytes of `id`, zero-padded, as a big-endian number: ids in
// this order are in text order (std::string_view's, bytes unsigned) unless
// their prefixes tie.
inline std::uint64_t id_prefix(std::string_view id) noexcept {
  std::uint64_t p = 0;
  for (std::size_t k = 0; k < 8; ++k)
    p = (p << 8) | (k < id.size() ? static_cast<unsigned char>(id[k]) : 0u);
  return p;
}

// Groups rows 0..n-1 whose record is id_values[code(i)] (code(i) < 0: left
// out) and whose instant at(i) is at or before as_of. `earlier(a, b)` orders
// two rows of one record (rows ascend first, so ties keep row order).
template <class Code, class At, class Earlier>
record_groups group_rows(std::size_t n, std::span<const std::string_view> id_values, Code&& code, At&& at,
                         instant as_of, Earlier&& earlier) {
  record_groups g;
  const std::size_t m = id_values.size();
  std::vector<std::size_t> start(m + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t k = code(i);
    if (k < 0) continue;
    if (at(i) > as_of) {
      ++g.ignored;
      continue;
    }
    ++start[static_cast<std::size_t>(k) + 1];
  }
  for (std::size_t k = 0; k < m; ++k) start[k + 1] += start[k];
  std::vector<std::size_t> by_code(start[m]);
  {
    std::vector<std::size_t> next(start.begin(), start.end() - 1);
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t k = code(i);
      if (k < 0 || at(i) > as_of) continue;
      by_code[next[static_cast<std::size_t>(k)]++] = i;
    }
  }
  // Records in id order; equal ids under different codes are one record (their
  // rows are sorted below, so the order among their codes does not matter).
  // Each id is sorted by its first eight bytes as a number, and by its whole
  // text only where those tie: most comparisons are then of two integers.
  struct keyed {
    std::uint64_t prefix;
    std::size_t code;
  };
  std::vector<keyed> keys;
  keys.reserve(m);
  for (std::size_t k = 0; k < m; ++k)
    if (start[k + 1] > start[k]) keys.push_back(keyed{id_prefix(id_values[k]), k});
  std::sort(keys.begin(), keys.end(), [&](const keyed& a, const keyed& b) {
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    return id_values[a.code] < id_values[b.code];
  });
  g.rows.reserve(by_code.size());
  g.start.push_back(0);
  for (std::size_t j = 0; j < keys.size();) {
    const std::string_view id = id_values[keys[j].code];
    const auto first = g.rows.end() - g.rows.begin();
    std::size_t next = j;
    for (; next < keys.size() && id_values[keys[next].code] == id; ++next)
      g.rows.insert(g.rows.end(), by_code.begin() + static_cast<std::ptrdiff_t>(start[keys[next].code]),
                    by_code.begin() + static_cast<std::ptrdiff_t>(start[keys[next].code + 1]));
    const auto b = g.rows.begin() + first;
    if (next > j + 1) std::sort(b, g.rows.end());
    if (!std::is_sorted(b, g.rows.end(), earlier)) std::stable_sort(b, g.rows.end(), earlier);
    g.ids.push_back(id);
    g.start.push_back(g.rows.size());
    j = next;
  }
  return g;
}

// Rows per thread below which another thread does not pay for itself
// (starting and joining one costs about what a few hundred rows do).
constexpr std::size_t rows_per_thread = 20000;

// How many threads evaluate `g` under `options`: evaluate_options::threads (0:
// one per core), at most one per rows_per_thread rows and one per record.
std::size_t thread_count(const record_groups& g, const evaluate_options& options) {
  std::size_t t = options.threads;
  if (t == 0) t = std::max(1u, std::thread::hardware_concurrency());
  t = std::min({t, g.rows.size() / rows_per_thread, g.ids.size()});
  return std::max<std::size_t>(t, 1);
}

// Room for the timer rows of `records` records: every record has at least one
// row per target, and some have several cycles. Room reserved and not used
// costs no memory (its pages are never touched), while growing the vector at
// the end would move every row.
std::size_t timer_rows(const policy& p, std::size_t records) {
  return records * detail::compiled(p).targets.size() * 5 / 4 + 16;
}

// Applies the rows of records [first, last) with apply(engine, row) and reports
// them into `out`.
template <class Apply>
void run_range(const policy& p, const record_groups& g, std::size_t first, std::size_t last, instant as_of,
               const evaluate_options& options, evaluation& out, Apply&& apply) {
  record_engine engine(p);
  engine.set_carry(options.carry);
  out.timers.reserve(out.timers.size() + timer_rows(p, last - first));
  for (std::size_t r = first; r < last; ++r) {
    engine.reset();
    for (const std::size_t row : g.rows_of(r)) apply(engine, row);
    finish_record(engine, g.ids[r], as_of, out, options.segments);
  }
}

template <class T>
void append(std::vector<T>& to, std::vector<T>& from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

// Applies each record's rows and reports it. `make_apply()` gives a callable
// apply(engine, row), one per thread (it may keep scratch space). With several
// threads, each evaluates a contiguous run of records (about as many rows
// each) into its own evaluation, and the runs are appended in record order:
// the same rows, in the same order, as on one thread.
template <class MakeApply>
void run_records(const policy& p, const record_groups& g, instant as_of, const evaluate_options& options,
                 evaluation& out, MakeApply&& make_apply) {
  const std::size_t threads = thread_count(g, options);
  out.events_ignored += g.ignored;
  if (threads == 1) {
    run_range(p, g, 0, g.ids.size(), as_of, options, out, make_apply());
    return;
  }
  // Record boundaries that split the rows evenly: run k is records [cut[k], cut[k + 1]).
  std::vector<std::size_t> cut(threads + 1, g.ids.size());
  cut[0] = 0;
  for (std::size_t k = 1; k < threads; ++k) {
    const std::size_t rows = g.rows.size() * k / threads;
    const auto at = std::lower_bound(g.start.begin(), g.start.end() - 1, rows);
    cut[k] = std::max(cut[k - 1], static_cast<std::size_t>(at - g.start.begin()));
  }
  // The first run goes into `out`, the others are moved in after it.
  out.timers.reserve(out.timers.size() + timer_rows(p, g.ids.size()));
  std::vector<evaluation> parts(threads - 1);
  std::vector<std::exception_ptr> failed(threads);
  {
    std::vector<std::jthread> pool;
    pool.reserve(threads - 1);
    for (std::size_t k = 1; k < threads; ++k)
      pool.emplace_back([&, k] {
        try {
          run_range(p, g, cut[k], cut[k + 1], as_of, options, parts[k - 1], make_apply());
        } catch (...) {
          failed[k] = std::current_exception();
        }
      });
    try {
      run_range(p, g, cut[0], cut[1], as_of, options, out, make_apply());
    } catch (...) {
      failed[0] = std::current_exception();
    }
  }  // joins
  for (const auto& e : failed)
    if (e) std::rethrow_exception(e);
  std::size_t timers = out.timers.size(), escalations = out.escalations.size(), pauses = out.pauses.size(),
              segments = out.segments.size();
  for (const auto& part : parts) {
    timers += part.timers.size();
    escalations += part.escalations.size();
    pauses += part.pauses.size();
    segments += part.segments.size();
  }
  out.timers.reserve(timers);
  out.escalations.reserve(escalations);
  out.pauses.reserve(pauses);
  out.segments.reserve(segments);
  for (auto& part : parts) {
    append(out.timers, part.timers);
    append(out.escalations, part.escalations);
    append(out.pauses, part.pauses);
    append(out.segments, part.segments);
    out.events_applied += part.events_applied;
    if (part.next_wakeup && (!out.next_wakeup || *part.next_wakeup < *out.next_wakeup)) out.next_wakeup = part.next_wakeup;
  }
}

}  // namespace

record_groups group_events(std::span<const event> events, instant as_of, std::optional<std::string_view> only) {
  // Each distinct id gets a code, in order of first appearance.
  std::unordered_map<std::string_view, std::int64_t> index;
  std::vector<std::string_view> ids;
  std::vector<std::int64_t> codes(events.size(), -1);
  std::int64_t previous = -1;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const std::string_view id = events[i].id;
    if (only && id != *only) continue;
    // Exports often list a record's events together: the same id as the row
    // before needs no lookup.
    if (previous >= 0 && ids[static_cast<std::size_t>(previous)] == id) {
      codes[i] = previous;
      continue;
    }
    auto [it, fresh] = index.try_emplace(id, static_cast<std::int64_t>(ids.size()));
    if (fresh) ids.push_back(id);
    codes[i] = previous = it->second;
  }
  return group_rows(
      events.size(), ids, [&](std::size_t i) { return codes[i]; }, [&](std::size_t i) { return events[i].at; },
      as_of, [&](std::size_t a, std::size_t b) { return applies_before(events[a], events[b]); });
}

void finish_record(const record_engine& engine, std::string_view id, instant as_of, evaluation& out, bool segments) {
  out.events_applied += engine.applied();
  const auto w = engine.report(id, as_of, out, segments);
  if (w && (!out.next_wakeup || *w < *out.next_wakeup)) out.next_wakeup = w;
}

}  // namespace detail

// ---------------------------------------------------------------------------
// batch

evaluation evaluate(const policy& p, std::span<const event> events, instant as_of) {
  return evaluate(p, events, as_of, evaluate_options{});
}

evaluation evaluate(const policy& p, std::span<const event> events, instant as_of, const evaluate_options& options) {
  evaluation out;
  const auto groups = detail::group_events(events, as_of);
  detail::run_records(p, groups, as_of, options, out, [&] {
    return [&](detail::record_engine& engine, std::size_t row) { engine.apply(events[row]); };
  });
  return out;
}

evaluation evaluate(const policy& p, const event_columns& ev, instant as_of) {
  return evaluate(p, ev, as_of, evaluate_options{});
}

evaluation evaluate(const policy& p, const event_columns& ev, instant as_of, const evaluate_options& options) {
  evaluation out;
  const bool any_skip = !ev.skip.empty();
  const auto groups = detail::group_rows(
      ev.at.size(), ev.id_values, [&](std::size_t i) { return any_skip && ev.skip[i] != 0 ? -1 : ev.id[i]; },
      [&](std::size_t i) { return ev.at[i]; }, as_of, [&](std::size_t a, std::size_t b) {
        if (ev.at[a] != ev.at[b]) return ev.at[a] < ev.at[b];
        return !ev.fraction.empty() && ev.fraction[a] < ev.fraction[b];
      });

  // Each attribute column's slot; columns the policy never reads are dropped.
  const auto& slots = detail::compiled(p).slots;
  std::vector<std::pair<int, const event_columns::attribute*>> columns;
  for (const auto& a : ev.attributes) {
    const int slot = slots.find(a.name);
    if (slot >= 0) columns.emplace_back(slot, &a);
  }
  // The carried attributes' columns (a name without a column stays null).
  std::vector<std::pair<int, const event_columns::attribute*>> carry_columns;
  for (std::size_t k = 0; k < options.carry.size(); ++k)
    for (const auto& a : ev.attributes)
      if (a.name == options.carry[k]) {
        carry_columns.emplace_back(static_cast<int>(k), &a);
        break;
      }

  detail::run_records(p, groups, as_of, options, out, [&] {
    // Each thread's scratch space: the row's resolved updates.
    std::vector<detail::slot_update> updates;
    updates.reserve(columns.size());
    std::vector<detail::carry_update> carried;
    carried.reserve(carry_columns.size());
    return [&, updates = std::move(updates), carried = std::move(carried)](detail::record_engine& engine,
                                                                           std::size_t row) mutable {
      updates.clear();
      for (const auto& [slot, a] : columns) {
        const std::int64_t code = a->codes[row];
        if (code >= 0) updates.push_back(detail::slot_update{slot, a->values[static_cast<std::size_t>(code)]});
      }
      carried.clear();
      for (const auto& [k, a] : carry_columns) {
        const std::int64_t code = a->codes[row];
        if (code >= 0) carried.push_back(detail::carry_update{k, a->values[static_cast<std::size_t>(code)]});
      }
      engine.apply(detail::event_view{ev.at[row], ev.name_values[static_cast<std::size_t>(ev.name[row])], row, updates,
                                      carried});
    };
  });
  return out;
}

// ---------------------------------------------------------------------------
// incremental

struct evaluator::state {
  policy pol;
  std::deque<event> events;  // stable addresses: record states point into them
  struct record {
    std::vector<const event*> events;  // in (at, sequence, arrival) order
    detail::record_engine engine;      // state after all of `events`
    explicit record(const policy& p) : engine(p) {}
  };
  std::map<std::string, std::unique_ptr<record>, std::less<>> records;
  explicit state(policy p) : pol(std::move(p)) {}
};

evaluator::evaluator(policy p) : state_(std::make_unique<state>(std::move(p))) {}
evaluator::~evaluator() = default;
evaluator::evaluator(evaluator&&) noexcept = default;
evaluator& evaluator::operator=(evaluator&&) noexcept = default;

void evaluator::add(event e) {
  auto& s = *state_;
  s.events.push_back(std::move(e));
  const event* stored = &s.events.back();
  auto it = s.records.find(stored->id);
  if (it == s.records.end()) it = s.records.emplace(stored->id, std::make_unique<state::record>(s.pol)).first;
  auto& rec = *it->second;
  const auto before = [](const event* a, const event* b) { return detail::applies_before(*a, *b); };
  if (rec.events.empty() || !before(stored, rec.events.back())) {
    rec.events.push_back(stored);
    rec.engine.apply(*stored);
    return;
  }
  // Late arrival: put it in its place and replay the record once.
  rec.events.insert(std::upper_bound(rec.events.begin(), rec.events.end(), stored, before), stored);
  rec.engine.reset();
  for (const event* x : rec.events) rec.engine.apply(*x);
}

evaluation evaluator::results(instant as_of) const {
  evaluation out;
  const auto& s = *state_;
  out.timers.reserve(s.records.size() * detail::compiled(s.pol).targets.size());
  std::optional<detail::record_engine> replay;
  for (const auto& [id, rec] : s.records) {
    if (rec->events.back()->at <= as_of) {
      detail::finish_record(rec->engine, id, as_of, out);
      continue;
    }
    // Some events lie after as_of: replay the ones before it.
    if (!replay) replay.emplace(s.pol);
    replay->reset();
    for (const event* x : rec->events) {
      if (x->at > as_of) ++out.events_ignored;
      else replay->apply(*x);
    }
    if (replay->applied() > 0) detail::finish_record(*replay, id, as_of, out);
  }
  return out;
}

}  // namespace duly
