# Stubs for duly._duly, the compiled core on integer seconds (private: use duly).
# Instants are int seconds since the Unix epoch (UTC); durations are int seconds.
# Arrays are flat, C-contiguous int64 with NaT as the int64 minimum.
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

__version__: str
MIN_SUPPORTED_SECONDS: int
MAX_SUPPORTED_SECONDS: int
MAX_DURATION_SECONDS: int

def _set_error_factory(
    factory: Callable[[int, str, list[tuple[int, str, str, str, int, int, str]]], BaseException],
) -> None: ...
def error_codes() -> dict[int, str]: ...
def parse_instant(text: str, timezone: str | None = None) -> int: ...
def format_instant(t: int) -> str: ...
def parse_duration(text: str) -> tuple[int, int, int]: ...
def format_duration(seconds: int) -> str: ...

class Calendar:
    def __init__(self) -> None: ...
    @staticmethod
    def parse(text: str, source_name: str = "", base_dir: str = "") -> Calendar: ...
    @staticmethod
    def load(path: str | bytes) -> Calendar: ...
    @property
    def timezone(self) -> str: ...
    def spec(self) -> dict[str, Any]: ...
    def holidays_in(self, year: int) -> list[str]: ...
    def with_timezone(self, timezone: str) -> Calendar: ...
    def add(self, t: int, d: int) -> int: ...
    def subtract(self, t: int, d: int) -> int: ...
    def add_business_days(self, t: int, n: int) -> int: ...
    def add_calendar_days(self, t: int, n: int) -> int: ...
    def elapsed(self, a: int, b: int) -> int: ...
    def is_open(self, t: int) -> bool: ...
    def next_open(self, t: int) -> int: ...
    def next_close(self, t: int) -> int: ...
    def open_intervals(self, start: int, end: int) -> list[tuple[int, int]]: ...
    def add_many(
        self, starts: npt.NDArray[np.int64], durations: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.int64]: ...
    def elapsed_many(
        self, starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.int64]: ...

class Policy:
    @staticmethod
    def parse(text: str, source_name: str = "") -> Policy: ...
    @staticmethod
    def load(path: str | bytes) -> Policy: ...
    @property
    def attribute_names(self) -> list[str]: ...
    @property
    def target_names(self) -> list[str]: ...
    @property
    def escalation_names(self) -> list[str]: ...
    @property
    def calendar_names(self) -> list[str]: ...
    @property
    def target_labels(self) -> list[dict[str, str]]: ...
    @property
    def escalation_targets(self) -> list[str]: ...
    @property
    def declared_attributes(self) -> list[tuple[str, str, list[str]]]: ...
    @property
    def warnings(self) -> list[str]: ...
    @property
    def fingerprint(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def source_name(self) -> str: ...

# Events as columns (see policy_bindings.cpp); attribute columns are
# (name, kind, values, rows, order) with kind "object" | "number" | "boolean" |
# "instant" and order (optional: 4-tuples are accepted too) ranking each value
# among its event's updates.
# Returns {"timers": {key: column}, "escalations": {key: column} (text columns as
# (codes int64[n], distinct str values), code -1 for null in goal and zone;
# timers also hold target_index and goal_index (-1: none), which are not JSON
# Lines keys, and with carry "carried": one list of Python values per name),
# "pauses": {id, target, target_index, cycle, paused_from, paused_until},
# "segments" (with segments=True): {id, target, cycle, from, until, paused,
# business_seconds, carried}, "rejected": [(line, reason)], "events_applied": int,
# "events_ignored": int, "next_wakeup": int | None}; "rejected" lists the rows
# whose values are not of their declared types. With strict=True and such rows,
# nothing is evaluated and the dict is {"rejected": [(line, reason)]} alone.
def evaluate(
    policy: Policy,
    as_of: int,
    ids: list[Any],
    at: npt.NDArray[np.int64],
    names: list[Any],
    attributes: list[tuple[str, str, Any, npt.NDArray[np.int64] | None, npt.NDArray[np.int64] | None]],
    accepted: npt.NDArray[np.bool_] | None = None,
    *,
    carry: list[str] = ...,
    segments: bool = ...,
    fraction: npt.NDArray[np.uint32] | None = ...,
    threads: int = ...,
    strict: bool = ...,
) -> dict[str, Any]: ...

# One record of events given as columns (as for evaluate); as_of None = the
# record's latest event. Returns {"id": str, "as_of": int, "entries": {key: column}
# (at, what, target, cycle, event, line, detail; target/event lists hold None,
# cycle/line use the int64 minimum for null), "timers": {key: column},
# "escalations": {key: column}, "table": str, "json": str, "rejected": [(line,
# reason)] (the rows left out as not of their declared types)}. With strict=True
# and such rows, nothing is explained (not even the check that the record has
# events) and the dict is {"rejected": [(line, reason)]} alone.
def explain(
    policy: Policy,
    id: str,
    as_of: int | None,
    ids: list[Any],
    at: npt.NDArray[np.int64],
    names: list[Any],
    attributes: list[tuple[str, str, Any, npt.NDArray[np.int64] | None, npt.NDArray[np.int64] | None]],
    accepted: npt.NDArray[np.bool_] | None = None,
    *,
    fraction: npt.NDArray[np.uint32] | None = ...,
    strict: bool = ...,
) -> dict[str, Any]: ...

# A DataFrame's events as columns (see policy_bindings.cpp): ids and names as
# (codes int64[n], distinct str values); attribute columns (name, kind, values,
# codes) with kind "values" (values a list, codes int64[n], -1 = no change),
# "number" (float64[n], NaN = no change) or "instant" (int64[n] seconds, the
# int64 minimum = no change), codes None for the last two; a fifth element True
# makes empty cells clear the attribute (snapshot rows). The Arrow path gives
# codes as lists of chunks (type, offset, length, validity, data), number
# values as chunks, and instants and `at` as (ticks per second, chunks).
# Returns as evaluate.
def evaluate_frame(
    policy: Policy,
    as_of: int,
    ids: tuple[Any, list[str]],
    at: Any,
    names: tuple[Any, list[str]],
    attributes: list[Any],
    accepted: npt.NDArray[np.bool_] | None = None,
    *,
    carry: list[str] = ...,
    segments: bool = ...,
    fraction: npt.NDArray[np.uint32] | None = ...,
    threads: int = ...,
    strict: bool = ...,
) -> dict[str, Any]: ...

# Rejected rows (line, reason) as `duly explain` prints them after the timeline.
def rejected_text(rows: list[tuple[int, str]], format: str) -> str: ...

# explain on columns as for evaluate_frame.
def explain_frame(
    policy: Policy,
    id: str,
    as_of: int | None,
    ids: tuple[Any, list[str]],
    at: Any,
    names: tuple[Any, list[str]],
    attributes: list[Any],
    accepted: npt.NDArray[np.bool_] | None = None,
    *,
    fraction: npt.NDArray[np.uint32] | None = ...,
    strict: bool = ...,
) -> dict[str, Any]: ...

# Wall-clock readings (int64 seconds, local epoch) in a zone -> instants (int64
# seconds): skipped readings at the DST change, repeated ones at their first.
def local_to_instants(timezone: str, local: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]: ...

# The report page of duly/report.hpp (UTF-8 bytes) over events given as columns
# (as for evaluate) at as_of; by: an attribute to split the table by ("" none).
def html_report(
    policy: Policy,
    as_of: int,
    ids: list[Any],
    at: npt.NDArray[np.int64],
    names: list[Any],
    attributes: list[tuple[str, str, Any, npt.NDArray[np.int64] | None, npt.NDArray[np.int64] | None]],
    accepted: npt.NDArray[np.bool_] | None = None,
    *,
    by: str = ...,
    max_timelines: int = ...,
    rejected: int = ...,
    title: str = ...,
) -> bytes: ...

# html_report on columns as for evaluate_frame.
def html_report_frame(
    policy: Policy,
    as_of: int,
    ids: tuple[npt.NDArray[np.int64], list[str]],
    at: npt.NDArray[np.int64],
    names: tuple[npt.NDArray[np.int64], list[str]],
    attributes: list[tuple[str, str, Any, npt.NDArray[np.int64] | None]],
    accepted: npt.NDArray[np.bool_] | None = None,
    *,
    by: str = ...,
    max_timelines: int = ...,
    rejected: int = ...,
    title: str = ...,
) -> bytes: ...

# Dictionary-encodes a contiguous 1-d object array in one pass: (codes int64[n],
# distinct values, all_text). None (unless none_missing is False), float NaN and
# instances of missing_types get code -1; str cells are merged by text, other
# objects only with themselves.
def encode_column(
    cells: npt.NDArray[np.object_], missing_types: tuple[type, ...] = (), none_missing: bool = True
) -> tuple[npt.NDArray[np.int64], list[Any], bool]: ...

# A list attribute value as the core holds it (canonical JSON text).
class ListValue:
    @property
    def text(self) -> str: ...
    def items(self) -> list[Any]: ...

def make_list(items: Sequence[object]) -> tuple[ListValue | None, str | None]: ...

# What an event must have, and the wording of each problem (duly::event_check):
# the validator of the JSON Lines and CSV readers, for the dict and DataFrame
# paths. `field` is "id", "at" or "event"; texts are "" when there is no problem.
class event_check:
    @staticmethod
    def describe(shape: str, literal: str = "") -> str: ...
    @staticmethod
    def text_problem(field: str, text: str) -> str: ...
    @staticmethod
    def read_at(text: str) -> tuple[int, str]: ...
    @staticmethod
    def instant_fraction(text: str) -> int: ...
    @staticmethod
    def at_problem(seconds: int) -> str: ...
    @staticmethod
    def missing_text(field: str) -> str: ...
    @staticmethod
    def wrong_type_text(field: str, got: str, also: str = "") -> str: ...
    @staticmethod
    def unreadable_text(field: str, why: str) -> str: ...
    @staticmethod
    def attribute_text(name: str, why: str) -> str: ...
    @staticmethod
    def attribute_name_problem(name: str) -> str: ...
    @staticmethod
    def nested() -> str: ...
    @staticmethod
    def list_item_problem(index: int, got: str) -> str: ...
    @staticmethod
    def list_too_long(items: int) -> str: ...
    max_list_items: int
    @staticmethod
    def not_a_number(text: str) -> str: ...
    @staticmethod
    def inexact_integer(literal: str) -> str: ...
    @staticmethod
    def join(problems: list[str]) -> str: ...

class Store:
    def __init__(self, path: str, create: bool, read_only: bool, wait_ms: int) -> None: ...
    @property
    def path(self) -> str: ...
    @property
    def closed(self) -> bool: ...
    def close(self) -> None: ...
    def run(
        self,
        policy: Policy,
        as_of: int,
        frame: bool,
        ids: Any,
        at: npt.NDArray[np.int64],
        names: Any,
        attributes: list[Any],
        accepted: npt.NDArray[np.bool_] | None,
        rejected: list[tuple[int, str]],
        recompute: str,
        quiet_before: int | None,
        wait_ms: int | None,
        fraction: npt.NDArray[np.uint32] | None = ...,
        strict: bool = ...,
    ) -> dict[str, Any]: ...
    def state(self, policy: Policy | None, as_of: int, recompute: str, wait_ms: int | None) -> dict[str, Any]: ...
    def outbox(self, after: int, limit: int | None) -> dict[str, Any]: ...
    def info(self) -> dict[str, Any]: ...
