// Results out: duly::evaluate and duly::explain on the event columns, with the
// GIL released, their rows handed back as columns.
//
// Row i becomes an event with sequence i (ties at one instant keep row order)
// and line i + 1. The events are evaluated with the GIL released; results come
// back as columns too (see `timer_columns`), instants and durations as int64 with
// INT64_MIN for null, with each cycle's pauses (`pause_columns`). The keyword
// arguments `carry` (attribute names) and `segments` add the values each timer
// carries at its deciding instant and each cycle's pieces (`segment_columns`),
// for the Python reports (Evaluation._facts).
//
// `explain` takes the same columns plus a record id and an optional as_of (None:
// the record's latest event, as `duly explain` does) and returns that record's
// timeline as columns (`entry_columns`), its timers and firings, and the CLI's
// table and JSON Lines texts (write_explanation), all computed without the GIL.

#include "columns.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <span>
#include <sstream>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <duly/evaluate.hpp>
#include <duly/event.hpp>
#include <duly/io.hpp>
#include <duly/policy.hpp>

namespace duly::python {
namespace {

// --- results out -----------------------------------------------------------------

i64 count(instant t) { return t.time_since_epoch().count(); }
i64 or_null(const std::optional<instant>& t) { return t ? count(*t) : null_i64; }
i64 or_null(const std::optional<seconds>& d) { return d ? d->count() : null_i64; }

// Fills an int64 column of `n` values from f(i).
template <class F>
py::array_t<i64> int_column(std::size_t n, F&& f) {
  py::array_t<i64> out(static_cast<py::ssize_t>(n));
  i64* o = out.mutable_data();
  for (std::size_t i = 0; i < n; ++i) o[i] = f(i);
  return out;
}

// Codes for the distinct strings of a column, in order of first appearance.
// Result rows come grouped by record, records in ascending id order, so most
// strings equal the one before (no lookup) or, while the values only ascend,
// are new (no lookup either); a column of few distinct values (targets,
// states, zones) is searched in place. The hash table is built only for a
// column with more than a few distinct values out of order.
class string_codes {
 public:
  i64 code(std::string_view s) {
    if (previous_ >= 0 && distinct_[static_cast<std::size_t>(previous_)] == s) return previous_;
    if (ascending_ && (distinct_.empty() || distinct_.back() < s)) return previous_ = add(s);
    ascending_ = false;
    if (distinct_.size() <= few) {
      for (std::size_t k = 0; k < distinct_.size(); ++k)
        if (distinct_[k] == s) return previous_ = static_cast<i64>(k);
      previous_ = add(s);
      if (distinct_.size() > few)
        for (std::size_t k = 0; k < distinct_.size(); ++k) index_.emplace(distinct_[k], static_cast<i64>(k));
      return previous_;
    }
    if (index_.empty())
      for (std::size_t k = 0; k < distinct_.size(); ++k) index_.emplace(distinct_[k], static_cast<i64>(k));
    const auto [it, fresh] = index_.try_emplace(s, static_cast<i64>(distinct_.size()));
    if (fresh) distinct_.push_back(s);
    return previous_ = it->second;
  }
  // The distinct strings as a list of str.
  [[nodiscard]] py::list values() const {
    py::list out(static_cast<py::ssize_t>(distinct_.size()));
    for (std::size_t k = 0; k < distinct_.size(); ++k) {
      PyObject* o = PyUnicode_DecodeUTF8(distinct_[k].data(), static_cast<Py_ssize_t>(distinct_[k].size()), "replace");
      if (o == nullptr) throw py::error_already_set();
      PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(k), o);
    }
    return out;
  }

 private:
  static constexpr std::size_t few = 8;
  i64 add(std::string_view s) {
    distinct_.push_back(s);
    return static_cast<i64>(distinct_.size() - 1);
  }
  std::vector<std::string_view> distinct_;
  std::unordered_map<std::string_view, i64> index_;
  bool ascending_ = true;
  i64 previous_ = -1;
};

// A column of n strings as (codes int64[n], values list of str): each distinct
// string becomes one Python str, and rows refer to it by index, so that the
// Python layer builds frames (and objects) without a str per row.
template <class F>
py::tuple encoded_str_column(std::size_t n, F&& f) {
  py::array_t<i64> codes(static_cast<py::ssize_t>(n));
  i64* c = codes.mutable_data();
  string_codes distinct;
  for (std::size_t i = 0; i < n; ++i) c[i] = distinct.code(f(i));
  return py::make_tuple(std::move(codes), distinct.values());
}

}  // namespace

py::object python_value(const value& v) {
  switch (v.kind()) {
    case value_kind::null: return py::none();
    case value_kind::boolean: return py::bool_(v.as_bool());
    case value_kind::number: {
      const double d = v.as_number();
      if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) <= 9007199254740992.0)
        return py::int_(static_cast<long long>(d));
      return py::float_(d);
    }
    case value_kind::string: {
      const std::string_view s = v.as_string();
      PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
      if (o == nullptr) throw py::error_already_set();
      return py::reinterpret_steal<py::object>(o);
    }
    case value_kind::list: {
      py::list out;
      for (const owned_value& item : list_items(v)) out.append(python_value(item.view()));
      return out;
    }
  }
  return py::none();
}

namespace {

// Carried values as columns: one list per carried name, one Python value per
// row. Equal strings share one str object (a column holds few distinct values).
template <class Rows>
py::list carried_columns(const Rows& rows, std::size_t names) {
  py::list out;
  std::unordered_map<std::string_view, py::object> strings;
  for (std::size_t k = 0; k < names; ++k) {
    py::list column(static_cast<py::ssize_t>(rows.size()));
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& carried = rows[i].carried;
      const value v = k < carried.size() ? carried[k].view() : value::null();
      py::object o;
      if (v.kind() == value_kind::string) {
        auto [it, fresh] = strings.try_emplace(v.as_string());
        if (fresh) it->second = python_value(v);
        o = it->second;
      } else {
        o = python_value(v);
      }
      PyList_SET_ITEM(column.ptr(), static_cast<Py_ssize_t>(i), o.release().ptr());
    }
    out.append(std::move(column));
  }
  return out;
}

template <class F>
py::list str_column(std::size_t n, F&& f) {
  py::list out(static_cast<py::ssize_t>(n));
  for (std::size_t i = 0; i < n; ++i) {
    const std::string_view s = f(i);
    PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
    if (o == nullptr) throw py::error_already_set();
    PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i), o);
  }
  return out;
}

// The timer keys of the JSON Lines output (see docs/cli.md), in order. One
// pass over the rows fills every column (a timer_row spans several cache
// lines: a pass per column would read them all again for each).
py::dict timer_columns(const std::vector<timer_row>& rows, std::size_t carried = 0) {
  const std::size_t n = rows.size();
  const auto ints = [n] { return py::array_t<i64>(static_cast<py::ssize_t>(n)); };
  py::array_t<i64> id = ints(), target = ints(), cycle = ints(), state = ints(), target_index = ints(),
                   goal_index = ints(), goal_seconds = ints(), goal = ints(), zone = ints(), started = ints(),
                   stopped = ints(), due = ints(), breached_at = ints(), elapsed = ints(), remaining = ints(),
                   paused = ints(), next_wakeup = ints();
  string_codes ids, targets, states, goals, zones;
  {
    i64 *o_id = id.mutable_data(), *o_target = target.mutable_data(), *o_cycle = cycle.mutable_data(),
        *o_state = state.mutable_data(), *o_target_index = target_index.mutable_data(),
        *o_goal_index = goal_index.mutable_data(), *o_goal_seconds = goal_seconds.mutable_data(),
        *o_goal = goal.mutable_data(), *o_zone = zone.mutable_data(), *o_started = started.mutable_data(),
        *o_stopped = stopped.mutable_data(), *o_due = due.mutable_data(), *o_breached = breached_at.mutable_data(),
        *o_elapsed = elapsed.mutable_data(), *o_remaining = remaining.mutable_data(),
        *o_paused = paused.mutable_data(), *o_wakeup = next_wakeup.mutable_data();
    for (std::size_t i = 0; i < n; ++i) {
      const timer_row& r = rows[i];
      o_id[i] = ids.code(r.id);
      o_target[i] = targets.code(r.target);
      o_cycle[i] = r.cycle;
      o_state[i] = states.code(to_string(r.state));
      o_target_index[i] = r.target_index;
      o_goal_index[i] = r.goal_index;
      o_goal_seconds[i] = or_null(r.goal_seconds);
      o_goal[i] = r.goal_text.empty() ? -1 : goals.code(r.goal_text);
      o_zone[i] = r.zone ? zones.code(*r.zone) : -1;
      o_started[i] = or_null(r.started);
      o_stopped[i] = or_null(r.stopped);
      o_due[i] = or_null(r.due);
      o_breached[i] = or_null(r.breached_at);
      o_elapsed[i] = or_null(r.elapsed_seconds);
      o_remaining[i] = or_null(r.remaining_seconds);
      o_paused[i] = or_null(r.paused_seconds);
      o_wakeup[i] = or_null(r.next_wakeup);
    }
  }
  py::dict c;
  c["id"] = py::make_tuple(std::move(id), ids.values());
  c["target"] = py::make_tuple(std::move(target), targets.values());
  c["cycle"] = std::move(cycle);
  c["state"] = py::make_tuple(std::move(state), states.values());
  // Not JSON Lines keys (timers_frame leaves them out): the target's and goal's
  // places in the policy, for callers that join a timer to its goal.
  c["target_index"] = std::move(target_index);
  c["goal_index"] = std::move(goal_index);
  c["goal_seconds"] = std::move(goal_seconds);
  c["goal"] = py::make_tuple(std::move(goal), goals.values());
  c["zone"] = py::make_tuple(std::move(zone), zones.values());
  c["started"] = std::move(started);
  c["stopped"] = std::move(stopped);
  c["due"] = std::move(due);
  c["breached_at"] = std::move(breached_at);
  c["elapsed_seconds"] = std::move(elapsed);
  c["remaining_seconds"] = std::move(remaining);
  c["paused_seconds"] = std::move(paused);
  c["next_wakeup"] = std::move(next_wakeup);
  if (carried > 0) c["carried"] = carried_columns(rows, carried);
  return c;
}

// Each cycle's pauses (Evaluation.pauses_frame): paused_until null while still paused.
py::dict pause_columns(const std::vector<pause_row>& rows) {
  const std::size_t n = rows.size();
  py::dict c;
  c["id"] = encoded_str_column(n, [&](std::size_t i) -> std::string_view { return rows[i].id; });
  c["target"] = encoded_str_column(n, [&](std::size_t i) -> std::string_view { return rows[i].target; });
  c["target_index"] = int_column(n, [&](std::size_t i) { return static_cast<i64>(rows[i].target_index); });
  c["cycle"] = int_column(n, [&](std::size_t i) { return rows[i].cycle; });
  c["paused_from"] = int_column(n, [&](std::size_t i) { return count(rows[i].paused_from); });
  c["paused_until"] = int_column(n, [&](std::size_t i) { return or_null(rows[i].paused_until); });
  return c;
}

// Each cycle's pieces (evaluate_options::segments), for the reports.
py::dict segment_columns(const std::vector<segment_row>& rows, std::size_t carried) {
  const std::size_t n = rows.size();
  py::dict c;
  c["id"] = encoded_str_column(n, [&](std::size_t i) -> std::string_view { return rows[i].id; });
  c["target"] = encoded_str_column(n, [&](std::size_t i) -> std::string_view { return rows[i].target; });
  c["cycle"] = int_column(n, [&](std::size_t i) { return rows[i].cycle; });
  c["from"] = int_column(n, [&](std::size_t i) { return count(rows[i].from); });
  c["until"] = int_column(n, [&](std::size_t i) { return count(rows[i].until); });
  py::array_t<bool> paused(static_cast<py::ssize_t>(n));
  bool* p = paused.mutable_data();
  for (std::size_t i = 0; i < n; ++i) p[i] = rows[i].paused;
  c["paused"] = std::move(paused);
  c["business_seconds"] = int_column(n, [&](std::size_t i) { return rows[i].business_seconds; });
  c["carried"] = carried_columns(rows, carried);
  return c;
}

}  // namespace

// The escalation keys of the JSON Lines output; `actions` as JSON text.
py::dict escalation_columns(const std::vector<escalation_row>& rows) {
  const std::size_t n = rows.size();
  std::vector<std::string> keys(n);
  for (std::size_t i = 0; i < n; ++i) keys[i] = rows[i].key();
  py::dict c;
  c["id"] = encoded_str_column(n, [&](std::size_t i) -> std::string_view { return rows[i].id; });
  c["target"] = encoded_str_column(n, [&](std::size_t i) -> std::string_view { return rows[i].target; });
  c["escalation"] = encoded_str_column(n, [&](std::size_t i) -> std::string_view { return rows[i].escalation; });
  c["cycle"] = int_column(n, [&](std::size_t i) { return rows[i].cycle; });
  c["point"] = int_column(n, [&](std::size_t i) { return rows[i].point; });
  c["fired_at"] = int_column(n, [&](std::size_t i) { return count(rows[i].fired_at); });
  c["deliver_at"] = int_column(n, [&](std::size_t i) { return count(rows[i].delivery()); });
  c["key"] = str_column(n, [&](std::size_t i) -> std::string_view { return keys[i]; });
  c["actions"] = str_column(n, [&](std::size_t i) -> std::string_view {
    return rows[i].actions_json.empty() ? std::string_view("[]") : std::string_view(rows[i].actions_json);
  });
  return c;
}

void check_as_of(i64 as_of) {
  if (as_of < count(min_supported_instant) || as_of >= count(max_supported_instant)) {
    raise(errc::out_of_range,
          "instant " + format_instant(instant{seconds{as_of}}) + " is outside the supported range [" +
              format_instant(min_supported_instant) + ", " + format_instant(max_supported_instant) + ")",
          "as_of");
  }
}

namespace {

// A list of n str or None (None where f(i) gives no value).
template <class F>
py::list optional_str_column(std::size_t n, F&& f) {
  py::list out(static_cast<py::ssize_t>(n));
  for (std::size_t i = 0; i < n; ++i) {
    const std::optional<std::string_view> s = f(i);
    PyObject* o = nullptr;
    if (s) {
      o = PyUnicode_DecodeUTF8(s->data(), static_cast<Py_ssize_t>(s->size()), "replace");
      if (o == nullptr) throw py::error_already_set();
    } else {
      o = Py_NewRef(Py_None);
    }
    PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i), o);
  }
  return out;
}

// The keys of the CLI's `explain` JSON lines (to_json(explain_entry, id)), in
// order, without kind and id: an event entry has no target or cycle, any other
// entry no event or line; a line that is not known is null too.
py::dict entry_columns(const std::vector<explain_entry>& rows) {
  const std::size_t n = rows.size();
  const auto is_event = [&](std::size_t i) { return rows[i].type == explain_entry::kind::event; };
  py::dict c;
  c["at"] = int_column(n, [&](std::size_t i) { return count(rows[i].at); });
  c["what"] = str_column(n, [&](std::size_t i) { return to_string(rows[i].type); });
  c["target"] = optional_str_column(n, [&](std::size_t i) -> std::optional<std::string_view> {
    if (is_event(i)) return std::nullopt;
    return std::string_view(rows[i].target);
  });
  c["cycle"] = int_column(n, [&](std::size_t i) { return is_event(i) ? null_i64 : rows[i].cycle; });
  c["event"] = optional_str_column(n, [&](std::size_t i) -> std::optional<std::string_view> {
    if (!is_event(i)) return std::nullopt;
    return std::string_view(rows[i].event);
  });
  c["line"] = int_column(n, [&](std::size_t i) {
    return is_event(i) && rows[i].line > 0 ? static_cast<i64>(rows[i].line) : null_i64;
  });
  c["detail"] = str_column(n, [&](std::size_t i) -> std::string_view { return rows[i].detail; });
  return c;
}

py::str utf8_str(const std::string& s) {
  PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
  if (o == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(o);
}

// Under strict: the rows whose values do not fit their declared types, found
// before evaluating, and nothing evaluated (the caller raises listing them).
py::dict refused(const std::vector<rejected_row>& wrong) {
  py::dict out;
  out["rejected"] = rejected_pairs(wrong);
  return out;
}

// `rejected`: the rows left out as not of their declared types, listed in the result.
py::dict explain_events(const policy_handle& p, const std::string& id, const std::optional<i64>& as_of_arg,
                        const std::vector<event>& events, const std::vector<rejected_row>& rejected) {

  struct outcome {
    std::optional<instant> as_of;
    explanation e;
    std::string table;
    std::string json;
  };
  outcome r = [&] {
    py::gil_scoped_release release;
    outcome o;
    o.as_of = as_of_arg ? std::optional<instant>(instant{seconds{*as_of_arg}}) : std::nullopt;
    if (!as_of_arg) {
      // Default: the record's latest event, so the whole history shows (as `duly explain`).
      for (const auto& e : events)
        if (e.id == id && (!o.as_of || e.at > *o.as_of)) o.as_of = e.at;
    }
    if (!o.as_of) return o;
    o.e = duly::explain(p.compiled, std::span<const event>(events), id, *o.as_of);
    if (o.e.entries.empty()) return o;
    std::ostringstream table;
    write_explanation(table, o.e, output_format::table);
    o.table = std::move(table).str();
    std::ostringstream json;
    write_explanation(json, o.e, output_format::jsonl);
    o.json = std::move(json).str();
    return o;
  }();
  // A record whose rows were all rejected has no events: the message says so,
  // with the rows (as the strict error names them, "events:LINE").
  if (!r.as_of)
    raise(errc::invalid_argument, "no events for record " + single_quoted(id) + rejected_rows_note(id, rejected, "events"),
          "id");
  if (r.e.entries.empty()) {
    const bool has_events =
        std::any_of(events.begin(), events.end(), [&](const event& x) { return x.id == id; });
    raise(errc::invalid_argument,
          "no events for record " + single_quoted(id) + " at or before " + format_instant(*r.as_of) +
              rejected_rows_note(id, rejected, "events", has_events),
          "id");
  }

  py::dict out;
  out["id"] = utf8_str(r.e.id);
  out["as_of"] = count(*r.as_of);
  out["entries"] = entry_columns(r.e.entries);
  out["timers"] = timer_columns(r.e.timers);
  out["escalations"] = escalation_columns(r.e.escalations);
  out["table"] = utf8_str(r.table);
  out["json"] = utf8_str(r.json);
  out["rejected"] = rejected_pairs(rejected);
  return out;
}

}  // namespace

py::dict evaluation_dict(const evaluation& r, const evaluate_options& options) {
  py::dict out;
  out["timers"] = timer_columns(r.timers, options.carry.size());
  out["pauses"] = pause_columns(r.pauses);
  if (options.segments) out["segments"] = segment_columns(r.segments, options.carry.size());
  out["escalations"] = escalation_columns(r.escalations);
  out["rejected"] = rejected_pairs(r.rejected);
  out["events_applied"] = r.events_applied;
  out["events_ignored"] = r.events_ignored;
  out["next_wakeup"] = r.next_wakeup ? py::object(py::int_(count(*r.next_wakeup))) : py::none();
  return out;
}

namespace {

py::dict evaluate_frame(const policy_handle& p, i64 as_of, const py::tuple& ids, const py::object& at,
                        const py::tuple& names, const py::list& attributes, const py::object& accepted,
                        const std::vector<std::string>& carry, bool segments, const py::object& fraction,
                        unsigned threads, bool strict) {
  check_as_of(as_of);
  // Only the columns the engine uses are read: those the policy reads, and the carried.
  std::set<std::string, std::less<>> wanted(carry.begin(), carry.end());
  for (const auto& name : p.compiled.slots().names()) wanted.insert(name);
  // With declared attributes, every column the policy declares is read too, to
  // check its values' types.
  const auto& declared = p.compiled.spec().attributes;
  for (const auto& a : declared) wanted.insert(a.name);
  const auto frame = read_frame(ids, at, names, attributes, accepted, &wanted);
  apply_fractions(*frame, fraction);
  const evaluate_options options{carry, segments, threads};
  if (!declared.empty()) {
    // Rows whose values do not fit their declared types are rejected rows, as
    // the readers of JSON Lines and CSV make them: evaluated event by event.
    std::vector<event> events = frame_event_list(*frame);
    std::vector<rejected_row> wrong;
    reject_declared_mismatches(events, declared, wrong);
    if (strict && !wrong.empty()) return refused(wrong);
    evaluation r = [&] {
      py::gil_scoped_release release;
      return duly::evaluate(p.compiled, std::span<const event>(events), instant{seconds{as_of}}, options);
    }();
    r.rejected.insert(r.rejected.end(), wrong.begin(), wrong.end());
    return evaluation_dict(r, options);
  }
  evaluation r = [&] {
    py::gil_scoped_release release;
    return duly::evaluate(p.compiled, frame->view(), instant{seconds{as_of}}, options);
  }();
  return evaluation_dict(r, options);
}

py::dict explain_columns(const policy_handle& p, const std::string& id, const std::optional<i64>& as_of_arg,
                         const py::list& ids, const i64_array& at, const py::list& names, const py::list& attributes,
                         const py::object& accepted, const py::object& fraction, bool strict) {
  if (as_of_arg) check_as_of(*as_of_arg);
  std::vector<event> events = build_events(ids, at, names, attributes, accepted);
  apply_fractions(events, fraction, static_cast<std::size_t>(at.size()));
  std::vector<rejected_row> wrong;  // left out and listed, as evaluate() rejects them
  reject_declared_mismatches(events, p.compiled.spec().attributes, wrong);
  if (strict && !wrong.empty()) return refused(wrong);
  return explain_events(p, id, as_of_arg, events, wrong);
}

py::dict explain_frame(const policy_handle& p, const std::string& id, const std::optional<i64>& as_of_arg,
                       const py::tuple& ids, const py::object& at, const py::tuple& names, const py::list& attributes,
                       const py::object& accepted, const py::object& fraction, bool strict) {
  if (as_of_arg) check_as_of(*as_of_arg);
  const auto frame = read_frame(ids, at, names, attributes, accepted);
  apply_fractions(*frame, fraction);
  std::vector<event> events = frame_event_list(*frame);
  std::vector<rejected_row> wrong;  // left out and listed, as evaluate() rejects them
  reject_declared_mismatches(events, p.compiled.spec().attributes, wrong);
  if (strict && !wrong.empty()) return refused(wrong);
  return explain_events(p, id, as_of_arg, events, wrong);
}

py::dict evaluate_columns(const policy_handle& p, i64 as_of, const py::list& ids, const i64_array& at,
                          const py::list& names, const py::list& attributes, const py::object& accepted,
                          const std::vector<std::string>& carry, bool segments, const py::object& fraction,
                          unsigned threads, bool strict) {
  check_as_of(as_of);
  std::vector<event> events = build_events(ids, at, names, attributes, accepted);
  apply_fractions(events, fraction, static_cast<std::size_t>(at.size()));
  std::vector<rejected_row> wrong;  // values that do not fit their declared types
  reject_declared_mismatches(events, p.compiled.spec().attributes, wrong);
  if (strict && !wrong.empty()) return refused(wrong);
  const evaluate_options options{carry, segments, threads};
  evaluation r = [&] {
    py::gil_scoped_release release;
    return duly::evaluate(p.compiled, std::span<const event>(events), instant{seconds{as_of}}, options);
  }();
  r.rejected.insert(r.rejected.end(), wrong.begin(), wrong.end());
  return evaluation_dict(r, options);
}

}  // namespace


namespace {

// Rejected rows as `duly evaluate` and `duly explain` end their output with them
// (duly::write_rejected): "table" or "jsonl".
py::str rejected_text(const std::vector<std::pair<std::uint64_t, std::string>>& rows, const std::string& format) {
  std::vector<rejected_row> rejected;
  rejected.reserve(rows.size());
  for (const auto& [line, reason] : rows) rejected.push_back({line, reason, {}});
  std::ostringstream out;
  write_rejected(out, rejected, format == "table" ? output_format::table : output_format::jsonl);
  return utf8_str(std::move(out).str());
}

}  // namespace

void bind_results(py::module_& m) {
  m.def("rejected_text", &rejected_text, py::arg("rows"), py::arg("format"),
        "Rejected rows (line, reason) as duly explain prints them after the timeline: format \"table\" or "
        "\"jsonl\".");
  m.def("evaluate", &evaluate_columns, py::arg("policy"), py::arg("as_of"), py::arg("ids"), py::arg("at"),
        py::arg("names"), py::arg("attributes"), py::arg("accepted") = py::none(), py::kw_only(),
        py::arg("carry") = std::vector<std::string>{}, py::arg("segments") = false, py::arg("fraction") = py::none(),
        py::arg("threads") = 1u, py::arg("strict") = false,
        "Evaluate events given as columns at as_of (seconds); releases the GIL while evaluating. "
        "carry: attribute names each timer row (and segment) carries; segments: also return each cycle's pieces; "
        "threads: as evaluate_options::threads (1: this thread, 0: one per core); strict: if any value is not "
        "of its declared type, nothing is evaluated and only \"rejected\" is returned.");
  m.def("evaluate_frame", &evaluate_frame, py::arg("policy"), py::arg("as_of"), py::arg("ids"), py::arg("at"),
        py::arg("names"), py::arg("attributes"), py::arg("accepted") = py::none(), py::kw_only(),
        py::arg("carry") = std::vector<std::string>{}, py::arg("segments") = false, py::arg("fraction") = py::none(),
        py::arg("threads") = 1u, py::arg("strict") = false,
        "Evaluate events given as a DataFrame's columns (codes and tables of distinct values) at as_of "
        "(seconds); releases the GIL while evaluating. carry, segments, threads and strict as for evaluate.");
  m.def("explain_frame", &explain_frame, py::arg("policy"), py::arg("id"), py::arg("as_of"), py::arg("ids"),
        py::arg("at"), py::arg("names"), py::arg("attributes"), py::arg("accepted") = py::none(), py::kw_only(),
        py::arg("fraction") = py::none(), py::arg("strict") = false,
        "explain() on events given as for evaluate_frame; strict as for explain.");
  m.def("explain", &explain_columns, py::arg("policy"), py::arg("id"), py::arg("as_of"), py::arg("ids"), py::arg("at"),
        py::arg("names"), py::arg("attributes"), py::arg("accepted") = py::none(), py::kw_only(),
        py::arg("fraction") = py::none(), py::arg("strict") = false,
        "Explain one record of events given as columns up to as_of (seconds; None: its latest event); "
        "releases the GIL while explaining. strict: if any value is not of its declared type, nothing is "
        "explained and only \"rejected\" is returned (before the check that the record has events).");
}

}  // namespace duly::python
