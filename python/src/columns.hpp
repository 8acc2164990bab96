// Declarations shared by the binding files that take events in and give results
// out (event_bindings.cpp, result_bindings.cpp, policy_bindings.cpp, store_bindings.cpp).
//
// Columns cross the boundary as numpy arrays of int64 seconds (INT64_MIN for
// null) and lists of str; see event_bindings.cpp for the layouts.
#pragma once

#include "bindings.hpp"

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <pybind11/numpy.h>

#include <duly/evaluate.hpp>
#include <duly/event.hpp>
#include <duly/policy.hpp>

namespace duly::python {

using i64 = std::int64_t;
using i64_array = py::array_t<i64, py::array::c_style | py::array::forcecast>;
using f64_array = py::array_t<double, py::array::c_style | py::array::forcecast>;
using bool_array = py::array_t<bool, py::array::c_style | py::array::forcecast>;

// Null instants and durations in the int64 columns (numpy's NaT).
constexpr i64 null_i64 = std::numeric_limits<i64>::min();

// The Python `Policy`: a compiled policy and the name its source was read under.
struct policy_handle {
  duly::policy compiled;
  std::string source_name;
};

// The UTF-8 text of a str (column[row] names it in the error when it is not one).
std::string_view utf8(PyObject* o, const char* column, std::size_t row);

// 'text', for messages.
std::string single_quoted(std::string_view s);

// Events given as columns, one Python object per cell (lists of dicts).
std::vector<event> build_events(const py::list& ids, const i64_array& at, const py::list& names,
                                const py::list& attributes, const py::object& accepted);

// Events given as a DataFrame's columns, read in place (views into the Python
// objects, which the caller holds for as long as the events are used).
struct frame_events {
  std::vector<std::string_view> id_values, name_values;
  std::vector<instant> at;
  std::vector<std::uint32_t> fraction;            // nanoseconds past `at` (empty: all 0)
  std::vector<std::uint8_t> skip;
  std::vector<std::string> names;                 // attribute names
  std::vector<std::vector<value>> values;         // per attribute
  std::vector<std::vector<i64>> own_codes;        // per attribute, when made here
  std::vector<std::span<const i64>> codes;        // per attribute
  std::vector<std::unique_ptr<char[]>> texts;     // instant texts
  std::vector<event_columns::attribute> attributes;
  std::vector<py::object> keep;                   // arrays read in place
  std::span<const i64> id, name;
  event_columns view() const {
    event_columns c;
    c.id_values = id_values;
    c.id = id;
    c.at = at;
    c.name_values = name_values;
    c.name = name;
    c.skip = skip;
    c.attributes = attributes;
    c.fraction = fraction;
    return c;
  }
};

std::unique_ptr<frame_events> read_frame(const py::tuple& ids, const i64_array& at, const py::tuple& names,
                                         const py::list& attributes, const py::object& accepted);

// The events of a frame one by one (for explain, which traces their updates).
std::vector<event> frame_event_list(const frame_events& f);

// Each row's fraction of a second (nanoseconds past its `at`, which orders
// events within a second) from `fraction`: None (all 0) or a uint32 array of
// one element per row. Events are matched to rows by event::sequence.
void apply_fractions(std::vector<event>& events, const py::object& fraction, std::size_t rows);
void apply_fractions(frame_events& f, const py::object& fraction);

// The results of an evaluation as the dict `duly.Evaluation` is built from
// (result_bindings.cpp): timer and escalation columns, rejected rows, counts.
py::dict evaluation_dict(const evaluation& r, const evaluate_options& options = {});

// The escalation keys of the JSON Lines output as columns (`actions` as JSON text).
py::dict escalation_columns(const std::vector<escalation_row>& rows);

// Raises out_of_range (path "as_of") for an instant outside 1970 to 2199.
void check_as_of(i64 as_of);

// (codes int64[n], distinct values, all_text); -1 = missing.
py::tuple encode_column(const py::array& cells, const py::tuple& missing_types);

}  // namespace duly::python
