"""Random calendars against a slow, obviously-correct reference written in Python.

The reference follows the calendar rules of docs/calendars.md word for word, with the standard library's
zoneinfo: it lists every window of every local date as the span between the
instants a wall clock first reaches its start and its end, drops the windows of
holidays, lets exceptions replace a date's windows, and merges what is left.
Business days follow docs/calendars.md: an open day is a local date one of whose
windows holds some time, and its deadline is the end of its last window.
"""

from __future__ import annotations

import bisect
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

import duly

UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ZONES = [
    "UTC",
    "America/New_York",
    "America/Denver",
    "Europe/London",
    "Australia/Lord_Howe",  # 30-minute DST shift
    "Asia/Kolkata",
    "Pacific/Chatham",
    "America/St_Johns",
]
# Around the 2026 DST changes of the zones above, and a year end.
RANGES = [
    (dt.date(2026, 3, 1), dt.date(2026, 4, 12)),
    (dt.date(2026, 9, 20), dt.date(2026, 11, 10)),
    (dt.date(2026, 12, 20), dt.date(2027, 1, 10)),
]


def seconds(t: dt.datetime) -> int:
    d = t - EPOCH
    return d.days * 86400 + d.seconds


def first_reach(local: dt.datetime, zone: ZoneInfo) -> int:
    """The first instant (seconds) at which the wall clock in `zone` reads >= `local`."""
    u0 = seconds(local.replace(tzinfo=zone, fold=0))
    u1 = seconds(local.replace(tzinfo=zone, fold=1))

    def wall(u: int) -> dt.datetime:
        return (EPOCH + dt.timedelta(seconds=u)).astimezone(zone).replace(tzinfo=None)

    lo, hi = min(u0, u1), max(u0, u1)
    if wall(lo) == local:
        return lo  # exists; the earlier of two readings when repeated
    # Skipped: the transition, somewhere in (lo, hi].
    while lo + 1 < hi:
        mid = (lo + hi) // 2
        if wall(mid) >= local:
            hi = mid
        else:
            lo = mid
    return hi


def easter(year: int) -> dt.date:
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = (h + l_ - 7 * m + 114) % 31 + 1
    return dt.date(year, month, day)


def holiday_dates(rule: Any, year: int) -> list[dt.date]:
    if isinstance(rule, str):
        return [dt.date.fromisoformat(rule)]
    if "easter" in rule:
        return [easter(year) + dt.timedelta(days=rule["easter"])]
    if "nth" in rule:
        wd = DAY_KEYS.index(rule["weekday"])
        days = [
            dt.date(year, rule["month"], d)
            for d in range(1, 32)
            if _valid(year, rule["month"], d) and dt.date(year, rule["month"], d).weekday() == wd
        ]
        n = rule["nth"]
        if n > 0:
            return [days[n - 1]] if n <= len(days) else []
        return [days[n]] if -n <= len(days) else []
    if not _valid(year, rule["month"], rule["day"]):
        return []
    d = dt.date(year, rule["month"], rule["day"])
    observed = rule.get("observed", "none")
    wd = d.weekday()
    if wd >= 5 and observed != "none":
        if observed == "nearest_weekday":
            d += dt.timedelta(days=-1 if wd == 5 else 1)
        elif observed == "next_weekday":
            d += dt.timedelta(days=7 - wd)
        else:
            d -= dt.timedelta(days=wd - 4)
    return [d]


def _valid(y: int, m: int, d: int) -> bool:
    try:
        dt.date(y, m, d)
    except ValueError:
        return False
    return True


def minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


class Reference:
    def __init__(self, kwargs: dict[str, Any], first: dt.date, last: dt.date) -> None:
        zone = ZoneInfo(kwargs["timezone"])
        hours = kwargs.get("hours")
        holidays: set[dt.date] = set()
        for rule in kwargs.get("holidays", []):
            for y in range(first.year - 1, last.year + 2):
                holidays.update(holiday_dates(rule, y))
        exceptions = {dt.date.fromisoformat(k): v for k, v in kwargs.get("exceptions", {}).items()}
        spans: list[tuple[int, int]] = []
        self.zone = zone
        self.day_closes: dict[dt.date, int] = {}  # open day -> end of its last window
        day = first
        while day <= last:
            if day in exceptions:
                windows = exceptions[day]
            elif day in holidays:
                windows = []
            elif hours is None:
                windows = ["00:00-24:00"]
            else:
                windows = hours.get(DAY_KEYS[day.weekday()], [])
            midnight = dt.datetime.combine(day, dt.time())
            for w in windows:
                a, b = (minutes(x) for x in w.split("-"))
                if b <= a:
                    b += 1440
                start = first_reach(midnight + dt.timedelta(minutes=a), zone)
                end = first_reach(midnight + dt.timedelta(minutes=b), zone)
                if start < end:
                    spans.append((start, end))
                    self.day_closes[day] = max(end, self.day_closes.get(day, end))
            day += dt.timedelta(days=1)
        spans.sort()
        merged: list[list[int]] = []
        for s, e in spans:
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self.starts = [s for s, _ in merged]
        self.spans = merged

    def elapsed(self, a: int, b: int) -> int:
        if b < a:
            return -self.elapsed(b, a)
        return sum(max(0, min(e, b) - max(s, a)) for s, e in self.spans)

    def is_open(self, t: int) -> bool:
        i = bisect.bisect_right(self.starts, t) - 1
        return i >= 0 and t < self.spans[i][1]

    def add(self, t: int, d: int) -> int | None:
        if d == 0:
            return t
        for s, e in self.spans:
            if e <= t:
                continue
            s = max(s, t)
            if e - s >= d:
                return s + d
            d -= e - s
        return None

    def subtract(self, t: int, d: int) -> int | None:
        if d == 0:
            return t
        for s, e in reversed(self.spans):
            if s >= t:
                continue
            e = min(e, t)
            if e - s >= d:
                return e - d
            d -= e - s
        return None

    def next_open(self, t: int) -> int | None:
        if self.is_open(t):
            return t
        i = bisect.bisect_right(self.starts, t)
        return self.starts[i] if i < len(self.starts) else None

    def add_business_days(self, t: int, n: int) -> int | None:
        if n == 0:
            return t
        local = (EPOCH + dt.timedelta(seconds=t)).astimezone(self.zone).date()
        for day in sorted(d for d in self.day_closes if d > local):
            n -= 1
            if n == 0:
                return self.day_closes[day]
        return None

    def next_close(self, t: int) -> int:
        i = bisect.bisect_right(self.starts, t) - 1
        return self.spans[i][1] if i >= 0 and t < self.spans[i][1] else t


# --- random calendars ----------------------------------------------------------------

times = st.integers(0, 48).map(lambda h: f"{h // 2:02d}:{(h % 2) * 30:02d}")
window = st.tuples(times, times).map(
    lambda ab: f"{ab[0]}-{ab[1]}"
).filter(lambda w: not w.startswith("24:00"))
windows = st.lists(window, min_size=0, max_size=3)


@st.composite
def calendars(draw: st.DrawFn) -> tuple[dict[str, Any], tuple[dt.date, dt.date]]:
    first, last = draw(st.sampled_from(RANGES))
    kwargs: dict[str, Any] = {"timezone": draw(st.sampled_from(ZONES))}
    if draw(st.integers(0, 9)) > 0:
        days = draw(st.lists(st.sampled_from(DAY_KEYS), unique=True, min_size=1, max_size=7))
        kwargs["hours"] = {d: draw(windows) for d in days}
    span_days = (last - first).days
    some_date = st.integers(0, span_days).map(lambda k: (first + dt.timedelta(days=k)).isoformat())
    holidays = draw(
        st.lists(
            some_date
            | st.fixed_dictionaries(
                {"month": st.integers(1, 12), "day": st.integers(1, 31)},
                optional={"observed": st.sampled_from(["none", "nearest_weekday", "next_weekday", "previous_weekday"])},
            ).filter(lambda r: _valid(2000, r["month"], r["day"]))
            | st.fixed_dictionaries(
                {
                    "month": st.integers(1, 12),
                    "weekday": st.sampled_from(DAY_KEYS),
                    "nth": st.sampled_from([1, 2, 3, 4, 5, -1, -2, -5]),
                }
            )
            | st.fixed_dictionaries({"easter": st.integers(-60, 60)}),
            max_size=3,
        )
    )
    if holidays:
        kwargs["holidays"] = holidays
    exceptions = draw(st.dictionaries(some_date, windows, max_size=3))
    if exceptions:
        kwargs["exceptions"] = exceptions
    return kwargs, (first, last)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_random_calendars_match_the_reference(data: st.DataObject) -> None:
    kwargs, (first, last) = data.draw(calendars())
    cal = duly.Calendar(**kwargs)
    # The reference covers two days more on each side than the instants drawn.
    ref = Reference(kwargs, first - dt.timedelta(days=2), last + dt.timedelta(days=2))
    lo = seconds(dt.datetime.combine(first, dt.time(), UTC))
    hi = seconds(dt.datetime.combine(last, dt.time(), UTC))
    instants = st.integers(lo, hi)
    as_dt = lambda s: EPOCH + dt.timedelta(seconds=s)  # noqa: E731
    for _ in range(4):
        a, b = data.draw(instants), data.draw(instants)
        assert cal.elapsed(as_dt(a), as_dt(b)).total_seconds() == ref.elapsed(a, b), (a, b)
        assert cal.is_open(as_dt(a)) == ref.is_open(a), a
        close = ref.next_close(a)
        if close < hi:
            assert seconds(cal.next_close(as_dt(a))) == close, a
        d = data.draw(st.integers(0, 30 * 3600))
        want = ref.add(a, d)
        if want is not None and want < hi:
            assert seconds(cal.add(as_dt(a), dt.timedelta(seconds=d))) == want, (a, d)
        back = ref.subtract(b, d)
        if back is not None and back > lo:
            assert seconds(cal.subtract(as_dt(b), dt.timedelta(seconds=d))) == back, (b, d)
        n = data.draw(st.integers(0, 6))
        due = ref.add_business_days(a, n)
        if due is not None and due < hi:
            assert seconds(cal.add_business_days(as_dt(a), n)) == due, (a, n)
            assert seconds(cal.add(as_dt(a), f"{n}bd")) == due, (a, n)
        nxt = ref.next_open(a)
        if nxt is not None and nxt < hi:
            assert seconds(cal.next_open(as_dt(a))) == nxt, a
