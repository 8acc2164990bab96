"""add_many / elapsed_many on numpy arrays: agreement with the scalar calls."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import threading
import time
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import duly
from conftest import ny, utc

UTC = dt.timezone.utc
T2020 = int(utc(2020, 1, 1).timestamp())
T2030 = int(utc(2030, 1, 1).timestamp())
NAT = np.iinfo(np.int64).min


def as_datetime(s: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(seconds=s)


def dt64(*args: int) -> np.datetime64:
    """A datetime64[s] of a UTC wall time."""
    return np.datetime64(utc(*args).replace(tzinfo=None), "s")


starts_st = st.lists(st.integers(T2020, T2030), min_size=0, max_size=40)
durations_st = st.integers(0, 300 * 3600)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_add_many_matches_add(spec_calendar: duly.Calendar, data: st.DataObject) -> None:
    starts = data.draw(starts_st)
    durations = data.draw(st.lists(durations_st, min_size=len(starts), max_size=len(starts)))
    s = np.array(starts, dtype="datetime64[s]")
    d = np.array(durations, dtype="timedelta64[s]")
    got = spec_calendar.add_many(s, d)
    assert got.dtype == np.dtype("datetime64[s]")
    assert got.shape == s.shape
    want = [
        spec_calendar.add(as_datetime(a), dt.timedelta(seconds=b)) for a, b in zip(starts, durations)
    ]
    assert [as_datetime(int(x)) for x in got.astype(np.int64)] == want


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_elapsed_many_matches_elapsed(spec_calendar: duly.Calendar, data: st.DataObject) -> None:
    starts = data.draw(starts_st)
    ends = data.draw(st.lists(st.integers(T2020, T2030), min_size=len(starts), max_size=len(starts)))
    got = spec_calendar.elapsed_many(np.array(starts, "datetime64[s]"), np.array(ends, "datetime64[s]"))
    assert got.dtype == np.dtype("timedelta64[s]")
    want = [spec_calendar.elapsed(as_datetime(a), as_datetime(b)) for a, b in zip(starts, ends)]
    assert [dt.timedelta(seconds=int(x)) for x in got.astype(np.int64)] == want


@settings(max_examples=40, deadline=None)
@given(
    start=st.integers(T2020, T2030),
    sub=st.integers(0, 10**9 - 1),
    dur=durations_st,
    unit=st.sampled_from(["ns", "us", "ms", "s"]),
)
def test_any_unit_is_floored_to_seconds(
    office: duly.Calendar, start: int, sub: int, dur: int, unit: str
) -> None:
    per_second = {"ns": 10**9, "us": 10**6, "ms": 10**3, "s": 1}[unit]
    frac = sub * per_second // 10**9
    s = np.array([start * per_second + frac], dtype=f"datetime64[{unit}]")
    d = np.array([dur * per_second + frac], dtype=f"timedelta64[{unit}]")
    got = office.add_many(s, d)
    assert got[0] == np.datetime64(office.add(as_datetime(start), dt.timedelta(seconds=dur)).replace(tzinfo=None), "s")


def test_coarse_units(office: duly.Calendar) -> None:
    s = np.array(["2026-11-20T16:00"], dtype="datetime64[m]")  # read as UTC: Fri 11:00 New York
    got = office.add_many(s, np.array([2], dtype="timedelta64[h]"))
    assert got[0] == dt64(2026, 11, 20, 18)
    days = office.add_many(np.array(["2026-11-21"], dtype="datetime64[D]"), np.timedelta64(1, "h"))
    assert days[0] == dt64(2026, 11, 23, 15)  # Mon 10:00 New York
    months = office.add_many(np.array(["2026-11"], dtype="datetime64[M]"), np.timedelta64(0, "s"))
    assert months[0] == dt64(2026, 11, 1)
    weeks = office.elapsed_many(np.array([0], "datetime64[W]") + np.timedelta64(2900, "W"),
                                np.array([0], "datetime64[W]") + np.timedelta64(2901, "W"))
    assert weeks[0] == np.timedelta64(40 * 3600, "s")


def test_hand_computed_values(office: duly.Calendar) -> None:
    starts = np.array(["2026-11-20T21:00:00", "2026-11-23T14:00:00"], dtype="datetime64[s]")
    got = office.add_many(starts, np.array([2, 8], dtype="timedelta64[h]"))
    assert list(got) == [dt64(2026, 11, 23, 15), dt64(2026, 11, 23, 22)]
    el = office.elapsed_many(starts, got)
    assert list(el) == [np.timedelta64(7200, "s"), np.timedelta64(8 * 3600, "s")]
    assert list(office.elapsed_many(got, starts)) == [-x for x in el]


def test_nat_in_gives_nat_out(office: duly.Calendar) -> None:
    s = np.array(["2026-11-20T21:00:00", "NaT", "2026-11-20T21:00:00"], dtype="datetime64[ns]")
    d = np.array([3600, 3600, "NaT"], dtype="timedelta64[s]")
    got = office.add_many(s, d)
    assert got[0] == dt64(2026, 11, 20, 22)
    assert np.isnat(got[1]) and np.isnat(got[2])
    el = office.elapsed_many(s, np.array(["NaT", "2026-11-20T22:00", "2026-11-20T22:00"], "datetime64[m]"))
    assert np.isnat(el[0]) and np.isnat(el[1]) and el[2] == np.timedelta64(3600, "s")
    assert np.isnat(office.add_many(np.array(["NaT"], dtype="datetime64"), "1h")[0])


def test_shapes_are_kept(office: duly.Calendar) -> None:
    base = np.datetime64("2026-11-23T14:00:00", "s")
    s = base + np.arange(6).reshape(2, 3).astype("timedelta64[h]")
    got = office.add_many(s, np.timedelta64(30, "m"))
    assert got.shape == (2, 3)
    for idx in np.ndindex(2, 3):
        assert got[idx] == np.datetime64(
            office.add(as_datetime(int(s[idx].astype(np.int64))), dt.timedelta(minutes=30)).replace(tzinfo=None), "s"
        )
    assert office.elapsed_many(s, s).shape == (2, 3)
    zero_d = office.add_many(base, np.timedelta64(1, "h"))
    assert zero_d.shape == () and zero_d == base + np.timedelta64(1, "h")
    assert office.add_many(np.array([], "datetime64[s]"), "1h").shape == (0,)


def test_scalar_duration_and_start_are_broadcast(office: duly.Calendar) -> None:
    s = np.array(["2026-11-20T21:00", "2026-11-23T14:00"], dtype="datetime64[s]")
    by_timedelta = office.add_many(s, dt.timedelta(hours=2))
    assert list(by_timedelta) == [dt64(2026, 11, 23, 15), dt64(2026, 11, 23, 16)]
    assert list(office.add_many(s, "2h")) == list(by_timedelta)
    assert list(office.add_many(s, np.timedelta64(2, "h"))) == list(by_timedelta)
    one_start = office.add_many(np.datetime64("2026-11-20T21:00", "s"), np.array([1, 2], "timedelta64[h]"))
    assert list(one_start) == [dt64(2026, 11, 20, 22), dt64(2026, 11, 23, 15)]
    assert list(office.elapsed_many(np.datetime64("2026-11-20T21:00", "s"), s)) == [
        np.timedelta64(0, "s"),
        np.timedelta64(3600, "s"),
    ]


def test_non_contiguous_inputs(office: duly.Calendar) -> None:
    rng = np.random.default_rng(7)
    secs = rng.integers(T2020, T2030, size=(20, 10))
    s = secs.astype("datetime64[s]")
    d = rng.integers(0, 100 * 3600, size=(10, 20)).astype("timedelta64[s]").T  # Fortran order
    assert not d.flags.c_contiguous
    want = office.add_many(np.ascontiguousarray(s), np.ascontiguousarray(d))
    assert np.array_equal(office.add_many(s, d), want)
    strided = s[:, ::3]
    assert not strided.flags.c_contiguous
    assert np.array_equal(office.add_many(strided, d[:, ::3]), want[:, ::3])
    reversed_ = s[::-1, ::-1]
    assert np.array_equal(office.elapsed_many(reversed_, s), office.elapsed_many(reversed_.copy(), s.copy()))


@pytest.mark.parametrize(
    ("starts", "durations", "path", "dtype"),
    [
        (np.array([1.0e9]), np.array([3600], "timedelta64[s]"), "starts", "float64"),
        (np.array([utc(2026, 1, 1)], dtype=object), np.array([3600], "timedelta64[s]"), "starts", "object"),
        (np.array([1763888400]), np.array([3600], "timedelta64[s]"), "starts", "int64"),
        (np.array([3600], "timedelta64[s]"), np.array([3600], "timedelta64[s]"), "starts", "timedelta64[s]"),
        (np.array(["2026-01-01"], "datetime64[s]"), np.array([3600.0]), "durations", "float64"),
        (np.array(["2026-01-01"], "datetime64[s]"), np.array([3600]), "durations", "int64"),
        (np.array(["2026-01-01"], "datetime64[s]"), np.array([dt.timedelta(hours=1)], dtype=object), "durations", "object"),
        (np.array(["2026-01-01"], "datetime64[s]"), np.array(["2026-01-01"], "datetime64[s]"), "durations", "datetime64[s]"),
        (np.array(["2026-01-01"], "datetime64[s]"), np.array([1], "timedelta64[M]"), "durations", "timedelta64[M]"),
    ],
)
def test_wrong_dtype(office: duly.Calendar, starts: Any, durations: Any, path: str, dtype: str) -> None:
    with pytest.raises(duly.InvalidArgumentError) as info:
        office.add_many(starts, durations)
    assert info.value.path == path
    assert dtype in str(info.value)
    assert str(info.value).startswith(f"{path}: ")


def test_wrong_dtype_for_elapsed_many(office: duly.Calendar) -> None:
    good = np.array(["2026-01-01"], "datetime64[s]")
    with pytest.raises(duly.InvalidArgumentError, match="ends: .*float64"):
        office.elapsed_many(good, np.array([1.5]))
    with pytest.raises(duly.InvalidArgumentError, match="starts: .*int64"):
        office.elapsed_many(np.array([1]), good)
    with pytest.raises(duly.InvalidArgumentError, match="starts: .*object"):
        office.elapsed_many([utc(2026, 1, 1)], good)


def test_mismatched_shapes(office: duly.Calendar) -> None:
    s = np.array(["2026-01-01", "2026-01-02", "2026-01-03"], "datetime64[s]")
    with pytest.raises(duly.InvalidArgumentError) as info:
        office.add_many(s, np.array([1, 2], "timedelta64[h]"))
    assert info.value.path == "durations"
    assert "(3,)" in str(info.value) and "(2,)" in str(info.value)
    with pytest.raises(duly.InvalidArgumentError, match=r"ends: .*\(3,\).*\(1, 3\)"):
        office.elapsed_many(s, s.reshape(1, 3))
    with pytest.raises(duly.InvalidArgumentError):
        office.add_many(s, np.array([1], "timedelta64[h]"))  # no implicit numpy broadcasting


def test_element_errors_name_the_index(office: duly.Calendar) -> None:
    s = np.array(["2026-01-01"] * 5, "datetime64[s]")
    with pytest.raises(duly.InvalidArgumentError, match="negative") as info:
        office.add_many(s, np.array([1, 2, 3, -1, 5], "timedelta64[h]"))
    assert info.value.path == "durations[3]"
    s[2] = np.datetime64("1969-12-31T23:59:59")
    with pytest.raises(duly.OutOfRangeError) as info2:
        office.add_many(s, np.timedelta64(1, "h"))
    assert info2.value.path == "starts[2]"
    with pytest.raises(duly.OutOfRangeError) as info3:
        office.elapsed_many(np.array(["2026-01-01"] * 3, "datetime64[s]"), s[:3])
    assert info3.value.path == "ends[2]"
    with pytest.raises(duly.OutOfRangeError) as info4:
        office.add_many(np.array(["2026-01-01", "9999-01-01"], "datetime64[Y]"), "1h")
    assert info4.value.path == "starts[1]"
    with pytest.raises(duly.NeverOpenError) as info5:
        duly.Calendar(hours={}).add_many(s[:2], np.array([0, 1], "timedelta64[h]"))
    assert info5.value.path == "starts[1]"
    with pytest.raises(duly.InvalidArgumentError, match="business days"):
        office.add_many(s, "3bd")


def test_non_native_byte_order(office: duly.Calendar) -> None:
    s = np.array(["2026-11-20T21:00", "2026-11-23T14:00"], dtype=">M8[s]")
    d = np.array([2, 8], dtype=">m8[h]")
    assert list(office.add_many(s, d)) == [dt64(2026, 11, 23, 15), dt64(2026, 11, 23, 22)]
    assert list(office.elapsed_many(s, s.astype("<M8[s]"))) == [np.timedelta64(0, "s")] * 2


def test_huge_values_do_not_wrap_around(office: duly.Calendar) -> None:
    far = np.array([np.iinfo(np.int64).max - 1], dtype="datetime64[D]")
    with pytest.raises(duly.OutOfRangeError):
        office.add_many(far, "1h")
    with pytest.raises(duly.OutOfRangeError):
        office.add_many(np.array(["2026-01-01"], "datetime64[s]"), np.array([10**15], "timedelta64[W]"))
    with pytest.raises(duly.InvalidArgumentError, match="negative") as info:
        office.add_many(np.array(["2026-01-01"], "datetime64[s]"), np.array([-(10**15)], "timedelta64[W]"))
    assert info.value.path == "durations[0]"
    with pytest.raises(duly.OutOfRangeError):
        office.add_many(np.array([-(10**15)], "datetime64[W]"), "1h")
    with pytest.raises(duly.OutOfRangeError):
        office.add_many(np.array([-(10**12)], "datetime64[Y]"), "1h")


def test_pandas_inputs(office: duly.Calendar) -> None:
    naive = pd.Series(pd.to_datetime(["2026-11-20 21:00", "2026-11-23 14:00"]))
    got = office.add_many(naive, pd.to_timedelta(["2h", "8h"]))
    assert list(got) == [dt64(2026, 11, 23, 15), dt64(2026, 11, 23, 22)]
    aware = pd.Series(pd.to_datetime(["2026-11-20 16:00", "2026-11-23 09:00"]).tz_localize("America/New_York"))
    assert list(office.add_many(aware, pd.to_timedelta(["2h", "8h"]))) == list(got)
    assert list(office.elapsed_many(pd.DatetimeIndex(aware), got)) == [
        np.timedelta64(7200, "s"),
        np.timedelta64(8 * 3600, "s"),
    ]
    assert office.add(pd.Timestamp("2026-11-20 16:00:00.999", tz="America/New_York"), "2h") == ny(2026, 11, 23, 10)


def test_threads_share_one_calendar(spec_calendar: duly.Calendar) -> None:
    rng = np.random.default_rng(11)
    n = 50_000
    starts = rng.integers(T2020, T2030, size=n).astype("datetime64[s]")
    durations = rng.integers(0, 200 * 3600, size=n).astype("timedelta64[s]")
    ends = starts + rng.integers(-10**7, 10**7, size=n).astype("timedelta64[s]")
    want_add = spec_calendar.add_many(starts, durations)
    want_elapsed = spec_calendar.elapsed_many(starts, ends)
    # A fresh calendar per run builds its yearly tables concurrently too.
    fresh = duly.Calendar.from_json(spec_calendar.to_json())

    def work(i: int) -> bool:
        cal = fresh if i % 2 else spec_calendar
        lo = (i * 7919) % (n // 2)
        return bool(
            np.array_equal(cal.add_many(starts[lo:], durations[lo:]), want_add[lo:])
            and np.array_equal(cal.elapsed_many(starts[lo:], ends[lo:]), want_elapsed[lo:])
        )

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        assert all(pool.map(work, range(16)))


def test_add_many_releases_the_gil(office: duly.Calendar) -> None:
    # While one thread is inside add_many, another keeps running Python code.
    n = 2_000_000
    starts = (T2020 + np.arange(n, dtype=np.int64) * 151).astype("datetime64[s]")
    durations = (np.arange(n, dtype=np.int64) % 50_000).astype("timedelta64[s]")
    span: dict[str, float] = {}

    def worker() -> None:
        span["start"] = time.perf_counter()
        office.add_many(starts, durations)
        span["end"] = time.perf_counter()

    ticks: list[float] = []
    thread = threading.Thread(target=worker)
    thread.start()
    while thread.is_alive():
        ticks.append(time.perf_counter())
        time.sleep(0.001)
    thread.join()
    start, end = span["start"], span["end"]
    quarter = (end - start) / 4
    assert [t for t in ticks if start + quarter < t < end - quarter], (end - start, len(ticks))
