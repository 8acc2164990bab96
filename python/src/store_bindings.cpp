// The store: duly::store (duly/store.hpp) as duly._duly.Store, for duly.Store
// (python/duly/_store.py).
//
// Events arrive as the columns `duly.evaluate` hands over (the dict path's
// lists, or a DataFrame's codes; see event_bindings.cpp), are made into events
// with the GIL held, and the store's work (SQLite, evaluation) runs with the GIL
// released. Results go back as the columns of result_bindings.cpp. A Store is
// one SQLite connection: a mutex keeps two Python threads from using it at
// once (taken with the GIL released, so a thread waiting for it never blocks
// the others).
#include "columns.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <duly/store.hpp>

namespace duly::python {
namespace {

i64 seconds_of(instant t) { return t.time_since_epoch().count(); }
py::object optional_instant(const std::optional<instant>& t) {
  return t ? py::object(py::int_(seconds_of(*t))) : py::none();
}

std::optional<std::chrono::milliseconds> wait_of(const std::optional<i64>& wait_ms) {
  if (!wait_ms) return std::nullopt;
  return std::chrono::milliseconds(*wait_ms);
}

recompute_mode mode_of(const std::string& name) {
  auto m = parse_recompute_mode(name);
  if (!m) {
    diagnostic d = m.error().diagnostics().front();
    d.path = "recompute";
    raise(duly::error(std::move(d)));
  }
  return *m;
}

// The events of a run: the dict path's columns, or a DataFrame's (`frame`).
std::vector<event> events_of(bool frame, const py::object& ids, const py::object& at, const py::object& names,
                             const py::list& attributes, const py::object& accepted, const py::object& fraction) {
  if (frame) {
    const auto f = read_frame(ids.cast<py::tuple>(), at, names.cast<py::tuple>(), attributes, accepted);
    apply_fractions(*f, fraction);
    return frame_event_list(*f);
  }
  const auto seconds = at.cast<i64_array>();
  std::vector<event> events = build_events(ids.cast<py::list>(), seconds, names.cast<py::list>(), attributes, accepted);
  apply_fractions(events, fraction, static_cast<std::size_t>(seconds.size()));
  return events;
}

class store_handle {
 public:
  store_handle(const std::string& path, bool create, bool read_only, i64 wait_ms) : path_(path) {
    store_options o;
    o.create = create;
    o.read_only = read_only;
    o.wait = std::chrono::milliseconds(wait_ms);
    auto s = [&] {
      py::gil_scoped_release release;
      return store::open(path, o);
    }();
    store_.emplace(unwrap(std::move(s)));
  }

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] bool closed() const { return !store_.has_value(); }

  void close() {
    py::gil_scoped_release release;
    std::lock_guard lock(mutex_);
    store_.reset();
  }

  py::dict run(const policy_handle& p, i64 as_of, bool frame, const py::object& ids, const py::object& at,
               const py::object& names, const py::list& attributes, const py::object& accepted,
               const std::vector<std::pair<std::uint64_t, std::string>>& rejected_rows, const std::string& recompute,
               const std::optional<i64>& quiet_before, const std::optional<i64>& wait_ms, const py::object& fraction,
               bool strict) {
    check_as_of(as_of);
    if (quiet_before) check_as_of(*quiet_before);
    run_options o;
    o.recompute = mode_of(recompute);
    if (quiet_before) o.quiet_before = instant{seconds{*quiet_before}};
    o.wait = wait_of(wait_ms);
    o.policy_name = p.source_name;
    std::vector<rejected_row> rejected;
    rejected.reserve(rejected_rows.size());
    for (const auto& [line, reason] : rejected_rows) rejected.push_back({line, reason, {}});
    std::vector<event> events =
        ids.is_none() ? std::vector<event>() : events_of(frame, ids, at, names, attributes, accepted, fraction);
    // Rows whose values do not fit their declared types are rejected rows, as
    // `duly run`'s readers make them: not stored as events, kept with the run
    // among its rejected rows, and listed. Under strict nothing is stored and
    // only they come back (the caller raises listing them).
    std::vector<rejected_row> wrong;
    reject_declared_mismatches(events, p.compiled.spec().attributes, wrong);
    if (strict && !wrong.empty()) {
      py::dict refused;
      refused["rejected"] = rejected_pairs(wrong);
      return refused;
    }
    rejected.insert(rejected.end(), wrong.begin(), wrong.end());
    std::stable_sort(rejected.begin(), rejected.end(),
                     [](const rejected_row& a, const rejected_row& b) { return a.line < b.line; });
    o.rejected = rejected;
    auto r = locked([&](store& s) { return s.run(p.compiled, events, instant{seconds{as_of}}, o); });
    run_result out = unwrap(std::move(r));
    std::vector<escalation_row> rows;
    rows.reserve(out.fired.size());
    std::vector<i64> cursors;
    for (auto& f : out.fired) {
      rows.push_back(std::move(f.row));
      cursors.push_back(f.cursor);
    }
    py::dict d;
    d["escalations"] = escalation_columns(rows);
    d["cursor"] = py::array_t<i64>(static_cast<py::ssize_t>(cursors.size()), cursors.data());
    d["run"] = out.run;
    d["events_new"] = out.events_new;
    d["events_duplicate"] = out.events_duplicate;
    d["records_evaluated"] = out.records_evaluated;
    d["records_kept_on_old_policy"] = out.records_kept_on_old_policy;
    d["firings_suppressed"] = out.firings_suppressed;
    d["firings_held"] = out.firings_held;
    d["policy_changed"] = out.policy_changed;
    d["next_wakeup"] = optional_instant(out.next_wakeup);
    d["withdrawals"] = outbox_columns(std::move(out.withdrawn));
    d["rejected"] = rejected_pairs(rejected);  // the Python readers' and the declared types', by line
    return d;
  }

  // `p` None: the store's latest policy (None back when there is none yet).
  py::object state(const policy_handle* p, i64 as_of, const std::string& recompute, const std::optional<i64>& wait_ms) {
    check_as_of(as_of);
    state_options o;
    o.recompute = mode_of(recompute);
    o.wait = wait_of(wait_ms);
    struct outcome {
      std::optional<policy> latest;
      result<evaluation> e = evaluation{};
    };
    auto r = locked([&](store& s) -> result<outcome> {
      outcome out;
      const policy* use = p != nullptr ? &p->compiled : nullptr;
      if (use == nullptr) {
        auto latest = s.latest_policy();
        if (!latest) return tl::unexpected(std::move(latest).error());
        if (!*latest) return out;  // nothing stored yet
        out.latest = std::move(**latest);
        use = &*out.latest;
      }
      out.e = s.state(*use, instant{seconds{as_of}}, o);
      return out;
    });
    outcome out = unwrap(std::move(r));
    evaluation e = unwrap(std::move(out.e));
    py::dict d = evaluation_dict(e);
    if (out.latest) d["policy"] = py::cast(policy_handle{std::move(*out.latest), path_});
    return d;
  }

  py::dict outbox(i64 after, const std::optional<i64>& limit) {
    outbox_options o;
    o.after = after;
    if (limit) o.limit = static_cast<std::size_t>(std::max<i64>(*limit, 0));
    std::vector<outbox_entry> entries = unwrap(locked([&](store& s) { return s.outbox(o); }));
    return outbox_columns(std::move(entries));
  }

  // Outbox entries as columns: the escalation columns (with each entry's key as
  // stored), cursor, run, kind and reason (None for escalations).
  static py::dict outbox_columns(std::vector<outbox_entry> entries) {
    std::vector<escalation_row> rows;
    std::vector<i64> cursors, runs;
    py::list kinds, keys, reasons;
    for (auto& e : entries) {
      rows.push_back(std::move(e.row));
      cursors.push_back(e.cursor);
      runs.push_back(e.run);
      kinds.append(text(e.kind));
      keys.append(text(e.key));
      if (e.kind == "withdrawal") reasons.append(text(e.reason));
      else reasons.append(py::none());
    }
    py::dict d;
    py::dict columns = escalation_columns(rows);
    columns["key"] = keys;
    d["escalations"] = columns;
    d["cursor"] = py::array_t<i64>(static_cast<py::ssize_t>(cursors.size()), cursors.data());
    d["run"] = py::array_t<i64>(static_cast<py::ssize_t>(runs.size()), runs.data());
    d["kind"] = kinds;
    d["reason"] = reasons;
    return d;
  }

  py::dict info() {
    store_info i = unwrap(locked([](store& s) { return s.info(); }));
    py::dict d;
    d["format_version"] = i.format_version;
    d["runs"] = i.runs;
    d["last_as_of"] = optional_instant(i.last_as_of);
    d["policy_fingerprint"] = i.policy_fingerprint;
    d["records"] = i.records;
    d["events"] = i.events;
    d["events_pending"] = i.events_pending;
    d["next_wakeup"] = optional_instant(i.next_wakeup);
    d["last_cursor"] = i.last_cursor;
    return d;
  }

 private:
  // f(store&) with the GIL released and the connection to itself.
  template <class F>
  auto locked(F&& f) -> decltype(f(std::declval<store&>())) {
    py::gil_scoped_release release;
    std::lock_guard lock(mutex_);
    if (!store_) return fail(errc::invalid_argument, path_ + ": the store is closed");
    return f(*store_);
  }

  std::string path_;
  std::mutex mutex_;
  std::optional<store> store_;
};

}  // namespace

void bind_store(py::module_& m) {
  py::class_<store_handle>(m, "Store", "An open store (duly::store); use duly.Store.")
      .def(py::init<const std::string&, bool, bool, i64>(), py::arg("path"), py::arg("create"), py::arg("read_only"),
           py::arg("wait_ms"))
      .def_property_readonly("path", [](const store_handle& s) { return text(s.path()); })
      .def_property_readonly("closed", &store_handle::closed)
      .def("close", &store_handle::close)
      .def("run", &store_handle::run, py::arg("policy"), py::arg("as_of"), py::arg("frame"), py::arg("ids"),
           py::arg("at"), py::arg("names"), py::arg("attributes"), py::arg("accepted"), py::arg("rejected"),
           py::arg("recompute"), py::arg("quiet_before"), py::arg("wait_ms"), py::arg("fraction") = py::none(),
           py::arg("strict") = false,
           "One run at as_of (seconds) over the events given as columns (ids None: no events); releases the "
           "GIL while the store works. Rows whose values are not of their declared types are rejected rows "
           "(kept with the run, not stored as events, listed in \"rejected\"); strict: if there are any, nothing "
           "is stored and only \"rejected\" is returned.")
      .def("state", &store_handle::state, py::arg("policy").none(true), py::arg("as_of"), py::arg("recompute"),
           py::arg("wait_ms"), "Every stored record at as_of (seconds), as evaluate()'s dict.")
      .def("outbox", &store_handle::outbox, py::arg("after"), py::arg("limit"),
           "The outbox after a cursor, in cursor order, as columns.")
      .def("info", &store_handle::info, "Counts and the latest run.");
}

}  // namespace duly::python
