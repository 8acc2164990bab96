"""Arrow data as events (pyarrow, polars, DuckDB) and results as pyarrow Tables.

Every input that speaks the Arrow C stream interface must give the answers of
the same events as dicts: each column type (text, large text, string views,
dictionaries, integers, floats, bools, decimals, timestamps of every unit and
zone), nulls, chunked arrays, slices with offsets; naive timestamps and naive
text raise unless `tz` says their zone; the result tables round-trip Parquet.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from typing import Any

import numpy as np
import pytest

import duly

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
pc = pytest.importorskip("pyarrow.compute")
pq = pytest.importorskip("pyarrow.parquet")
pl = pytest.importorskip("polars")
duckdb = pytest.importorskip("duckdb")

UTC = dt.timezone.utc
AS_OF = "2026-01-09T00:00:00Z"

POLICY = duly.Policy.from_yaml(
    """
duly: 1
calendars:
  office: {timezone: America/New_York, hours: {mon-fri: "09:00-17:00"}}
targets:
  - name: response
    applies_when: vip != false
    start_when: event == "created"
    stop_when: event == "replied" or (n != null and n >= 3)
    pause_when: status == "waiting"
    start_at: opened_at
    goals:
      - {when: priority == "P1", within: 1h}
      - {when: priority == "P2", within: 4h, calendar: office}
      - {within: 1bd, calendar: office}
  - name: resolution
    start_when: event == "created"
    stop_when: status == "done"
    goals:
      - {when: n > 1.5, within: 2h}
      - {within: 8h, calendar: office}
escalations:
  - {name: late, target: resolution, at: due, do: [{notify: [manager]}, {set: {escalated: true}}]}
""",
    source="arrow-test.yaml",
)

N = 60
BASE = dt.datetime(2026, 1, 5, 13, tzinfo=UTC)


def rows() -> list[dict[str, Any]]:
    """Events with every kind of value and empty cells, as dicts (None = empty here)."""
    rng = np.random.default_rng(7)
    out = []
    for i in range(N):
        at = BASE + dt.timedelta(minutes=int(rng.integers(0, 3000)), seconds=int(rng.integers(0, 60)),
                                 microseconds=int(rng.integers(0, 10**6)))
        out.append({
            "id": f"R{int(rng.integers(0, 12))}",
            "at": at,
            "event": ["created", "update", "replied"][int(rng.integers(0, 3))],
            "priority": [None, "P1", "P2", "P3"][int(rng.integers(0, 4))],
            "status": [None, "open", "waiting", "done"][int(rng.integers(0, 4))],
            "n": [None, 0.0, 1.0, 2.5, 4.0][int(rng.integers(0, 5))],
            "count": [None, 1, 2, 3][int(rng.integers(0, 4))],
            "vip": [None, True, False][int(rng.integers(0, 3))],
            "opened_at": None if rng.integers(0, 3) == 0 else at - dt.timedelta(minutes=int(rng.integers(0, 90))),
        })
    return out


def as_dicts(rs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The reference: an empty cell is a key left out; instants floored to the second."""
    out = []
    for r in rs:
        d = {k: v for k, v in r.items() if v is not None}
        for k in ("at", "opened_at"):
            if k in d:
                d[k] = d[k].replace(microsecond=0)
        out.append(d)
    return out


def table(rs: list[dict[str, Any]], unit: str = "us", zone: str = "UTC") -> Any:
    def col(k: str) -> list[Any]:
        return [r[k] for r in rs]

    ts = pa.timestamp(unit, tz=zone)
    return pa.table({
        "id": pa.array(col("id"), pa.string()),
        "at": pa.array(col("at"), pa.timestamp("us", tz="UTC")).cast(ts, safe=False),
        "event": pa.array(col("event"), pa.string()),
        "priority": pa.array(col("priority"), pa.string()),
        "status": pa.array(col("status"), pa.string()),
        "n": pa.array(col("n"), pa.float64()),
        "count": pa.array(col("count"), pa.int64()),
        "vip": pa.array(col("vip"), pa.bool_()),
        "opened_at": pa.array(col("opened_at"), pa.timestamp("us", tz="UTC")).cast(ts, safe=False),
    })


def same(a: duly.Evaluation, b: duly.Evaluation) -> None:
    assert a.timers == b.timers
    assert a.escalations == b.escalations
    assert a.rejected == b.rejected
    assert (a.events_applied, a.events_ignored, a.next_wakeup) == (b.events_applied, b.events_ignored, b.next_wakeup)


@pytest.fixture(scope="module")
def data() -> tuple[list[dict[str, Any]], duly.Evaluation]:
    rs = rows()
    return rs, duly.evaluate(POLICY, as_dicts(rs), AS_OF)


def recast(t: Any, name: str, arrow_type: Any) -> Any:
    return t.set_column(t.schema.get_field_index(name), name, t[name].cast(arrow_type))


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "+05:30"])
def test_timestamps_in_every_unit_and_zone(data: Any, unit: str, zone: str) -> None:
    rs, reference = data
    same(duly.evaluate(POLICY, table(rs, unit, zone), AS_OF), reference)


@pytest.mark.parametrize(
    "change",
    [
        ("id", pa.large_string()),
        ("event", pa.string_view()),
        ("priority", pa.large_string()),
        ("priority", pa.string_view()),
        ("priority", pa.dictionary(pa.int8(), pa.string())),
        ("status", pa.dictionary(pa.int32(), pa.large_string())),
        ("id", pa.dictionary(pa.int16(), pa.string())),
        ("n", pa.float32()),
        ("n", pa.decimal128(10, 2)),
        ("count", pa.int8()),
        ("count", pa.uint16()),
        ("count", pa.int32()),
        ("count", pa.uint64()),
        ("count", pa.float64()),
    ],
    ids=lambda c: f"{c[0]}-{c[1]}",
)
def test_column_types(data: Any, change: tuple[str, Any]) -> None:
    rs, reference = data
    same(duly.evaluate(POLICY, recast(table(rs), *change), AS_OF), reference)


def test_chunked_sliced_and_from_batches(data: Any) -> None:
    rs, reference = data
    t = table(rs)
    pieces = [t.slice(0, 7), t.slice(7, 20), t.slice(27)]
    chunked = pa.concat_tables(pieces)
    assert chunked["id"].num_chunks == 3 and chunked["id"].chunks[1].offset == 7
    same(duly.evaluate(POLICY, chunked, AS_OF), reference)
    # Dictionary columns whose chunks have different dictionaries.
    d = pa.chunked_array([c.dictionary_encode() for c in chunked["priority"].chunks])
    same(duly.evaluate(POLICY, chunked.set_column(3, "priority", d), AS_OF), reference)
    # A slice of a bigger table: every column has an offset.
    padded = pa.concat_tables([table(rs[:5]), t, table(rs[:9])]).combine_chunks().slice(5, N)
    assert padded["n"].chunks[0].offset == 5
    same(duly.evaluate(POLICY, padded, AS_OF), reference)
    reader = pa.RecordBatchReader.from_batches(t.schema, t.to_batches(max_chunksize=11))
    same(duly.evaluate(POLICY, reader, AS_OF), reference)


def test_nulls_everywhere(data: Any) -> None:
    rs, reference = data
    t = table(rs)
    empty = {"priority": pa.string(), "n": pa.float64(), "vip": pa.bool_(), "opened_at": pa.timestamp("s", tz="UTC")}
    for name, arrow_type in empty.items():
        t = t.set_column(t.schema.get_field_index(name), name, pa.nulls(N, arrow_type))
    t = t.append_column("nothing", pa.nulls(N))
    stripped = [{k: v for k, v in r.items() if k not in empty} for r in rs]
    same(duly.evaluate(POLICY, t, AS_OF), duly.evaluate(POLICY, as_dicts(stripped), AS_OF))


def test_bad_rows_are_rejected_as_in_dicts() -> None:
    rs = [
        {"id": "A", "at": BASE, "event": "created", "n": 1.0},
        {"id": None, "at": BASE, "event": "created", "n": 1.0},
        {"id": "", "at": BASE, "event": "created", "n": math.inf},
        {"id": "B", "at": None, "event": None, "n": 2.0},
        {"id": "C", "at": dt.datetime(2300, 1, 1, tzinfo=UTC), "event": "created", "n": 1.0},
    ]
    t = pa.table({
        "id": pa.array([r["id"] for r in rs], pa.string()),
        "at": pa.array([r["at"] for r in rs], pa.timestamp("s", tz="UTC")),
        "event": pa.array([r["event"] for r in rs], pa.string()),
        "n": pa.array([r["n"] for r in rs], pa.float64()),
    })
    from_dicts = duly.evaluate(POLICY, [{k: v for k, v in r.items() if v is not None} for r in rs], AS_OF)
    from_arrow = duly.evaluate(POLICY, t, AS_OF)
    assert [r.line for r in from_arrow.rejected] == [2, 3, 4, 5]
    same(from_arrow, from_dicts)


def test_text_at_and_integer_ids(data: Any) -> None:
    rs, reference = data
    t = table(rs, "s")
    text = pc.strftime(t["at"], format="%Y-%m-%dT%H:%M:%SZ")
    t2 = t.set_column(1, "at", text)
    same(duly.evaluate(POLICY, t2, AS_OF), reference)
    ids = pa.table({"id": pa.array([1, 2, 1], pa.int64()), "at": pa.array([BASE] * 3, pa.timestamp("s", tz="UTC")),
                    "event": pa.array(["created", "created", "replied"])})
    as_dicts_ = [{"id": i, "at": BASE, "event": e} for i, e in zip([1, 2, 1], ["created", "created", "replied"])]
    same(duly.evaluate(POLICY, ids, AS_OF), duly.evaluate(POLICY, as_dicts_, AS_OF))


def test_polars_and_duckdb(data: Any) -> None:
    rs, reference = data
    t = table(rs)
    frame = pl.from_arrow(t)
    same(duly.evaluate(POLICY, frame, AS_OF), reference)
    # polars' own types: Categorical and Enum text, string views inside.
    cat = frame.with_columns(pl.col("priority").cast(pl.Categorical), pl.col("status").cast(pl.Enum(["open", "waiting", "done"])))
    same(duly.evaluate(POLICY, cat, AS_OF), reference)
    con = duckdb.connect()
    con.register("events", t)
    relation = con.sql("select * from events")
    same(duly.evaluate(POLICY, relation, AS_OF), reference)


def test_naive_timestamps_raise_or_take_tz(data: Any) -> None:
    rs, _ = data
    t = table(rs, "us")
    naive = t.set_column(1, "at", t["at"].cast(pa.timestamp("us")))
    with pytest.raises(duly.InvalidArgumentError, match="without a time zone") as e:
        duly.evaluate(POLICY, naive, AS_OF)
    assert e.value.path == "at"
    assert "assume_timezone" in str(e.value) and "tz=" in str(e.value)
    with pytest.raises(duly.InvalidArgumentError, match="without a time zone"):
        duly.evaluate(POLICY, pl.from_arrow(naive), AS_OF)
    # The same readings in New York: tz says so.
    local = t.set_column(1, "at", pc.local_timestamp(t["at"].cast(pa.timestamp("us", tz="America/New_York"))))
    same(duly.evaluate(POLICY, local, AS_OF, tz="America/New_York"), duly.evaluate(POLICY, t, AS_OF))


def test_naive_text_and_the_dst_rule() -> None:
    """Local-time text in a frame raises without tz (in dicts it is a rejected row, as
    in JSON Lines); with tz, skipped times are taken at the change and repeated ones at
    their first occurrence, in every input."""
    texts = ["2026-03-08 02:30:00", "2026-11-01 01:30:00", "2026-01-05T09:00:00"]
    events = [{"id": f"T{i}", "at": s, "event": "created", "priority": "P1"} for i, s in enumerate(texts)]
    rejected = duly.evaluate(POLICY, events, "2027-01-01T00:00:00Z").rejected  # dicts: as JSON Lines
    assert [r.line for r in rejected] == [1, 2, 3] and "no UTC offset" in rejected[0].reason
    for given in (events, pd.DataFrame(events), pa.Table.from_pylist(events), pl.DataFrame(events)):
        if given is not events:
            with pytest.raises(duly.InvalidArgumentError, match="local time without an offset") as e:
                duly.evaluate(POLICY, given, "2027-01-01T00:00:00Z")
            assert e.value.path == "at[0]"
        r = duly.evaluate(POLICY, given, "2027-01-01T00:00:00Z", tz="America/New_York")
        started = [t.started for t in r.timers if t.target == "response"]
        assert started == [
            dt.datetime(2026, 3, 8, 7, 0, tzinfo=UTC),    # 02:30 skipped: 03:00 EDT
            dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC),  # 01:30 repeated: the EDT one
            dt.datetime(2026, 1, 5, 14, 0, tzinfo=UTC),
        ]
    naive = pd.DataFrame(events)
    naive["at"] = pd.to_datetime(naive["at"], format="ISO8601")
    r = duly.evaluate(POLICY, naive, "2027-01-01T00:00:00Z", tz="America/New_York")
    assert [t.started for t in r.timers if t.target == "response"][0] == dt.datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    with pytest.raises(duly.UnknownZoneError):
        duly.evaluate(POLICY, events, "2027-01-01T00:00:00Z", tz="Mars/Base")


def test_arrow_backed_pandas_columns(data: Any) -> None:
    rs, reference = data
    df = table(rs).to_pandas(types_mapper=pd.ArrowDtype)
    assert str(df["at"].dtype) == "timestamp[us, tz=UTC][pyarrow]"
    same(duly.evaluate(POLICY, df, AS_OF), reference)
    ny = df.copy()
    ny["at"] = ny["at"].astype(pd.ArrowDtype(pa.timestamp("us", tz="America/New_York")))
    same(duly.evaluate(POLICY, ny, AS_OF), reference)


def test_wrong_inputs_raise() -> None:
    t = pa.table({"id": ["A"], "at": pa.array([BASE], pa.timestamp("s", tz="UTC")), "event": ["x"],
                  "d": pa.array([dt.timedelta(hours=1)], pa.duration("s"))})
    with pytest.raises(duly.InvalidArgumentError, match="column 'd' has type duration"):
        duly.evaluate(POLICY, t, AS_OF)
    with pytest.raises(duly.InvalidArgumentError, match="no 'event' column"):
        duly.evaluate(POLICY, t.drop_columns(["event"]), AS_OF)
    with pytest.raises(duly.InvalidArgumentError, match="LazyFrame"):
        duly.evaluate(POLICY, pl.from_arrow(t.drop_columns(["d"])).lazy(), AS_OF)
    # A list column is read as lists (a null cell is empty); a null item rejects its row, a struct every row.
    lists = pa.table({"id": ["A", "B", "C"], "at": pa.array([BASE] * 3, pa.timestamp("s", tz="UTC")),
                      "event": ["created"] * 3, "tags": pa.array([["x"], None, ["y", None]], pa.list_(pa.string()))})
    assert [(r.line, r.reason) for r in duly.evaluate(POLICY, lists, AS_OF).rejected] == [
        (3, "attribute 'tags': item 2 of the list is null: a list holds only text, numbers and bools (no null, "
            "no lists, no objects)")]
    structs = pa.table({"id": ["A"], "at": pa.array([BASE], pa.timestamp("s", tz="UTC")), "event": ["created"],
                        "owner": pa.array([{"name": "ann"}])})
    assert [r.line for r in duly.evaluate(POLICY, structs, AS_OF).rejected] == [1]


def test_result_tables_and_parquet(data: Any, tmp_path: Any) -> None:
    rs, reference = data
    result = duly.evaluate(POLICY, table(rs), AS_OF)
    timers = result.timers_table()
    frame = result.timers_frame()
    assert timers.column_names == list(frame.columns)
    assert timers.schema.field("due").type == pa.timestamp("us", tz="UTC")
    back = timers.to_pandas()
    for c in frame.columns:
        if str(frame[c].dtype).startswith("datetime64"):
            assert (back[c].astype("datetime64[ns, UTC]").equals(frame[c]))
        else:
            assert back[c].astype(frame[c].dtype).equals(frame[c]), c
    firings = result.escalations_table()
    assert firings.column_names == list(result.escalations_frame().columns)
    assert firings["actions"].to_pylist()[0] == '[{"notify":["manager"]},{"set":{"escalated":true}}]'
    pauses = result.pauses_table()
    assert pauses.column_names == list(result.pauses_frame().columns)
    pq.write_table(timers, tmp_path / "timers.parquet")
    assert pq.read_table(tmp_path / "timers.parquet").equals(timers)
    pq.write_table(table(rs), tmp_path / "events.parquet")
    same(duly.evaluate(POLICY, pq.read_table(tmp_path / "events.parquet"), AS_OF), reference)
    assert result.events is not None  # a Table is kept for reports
    duly.report(result, by="priority")


def test_decimal_and_nan_cells() -> None:
    t = pa.table({"id": ["A", "A"], "at": pa.array([BASE, BASE + dt.timedelta(hours=1)], pa.timestamp("s", tz="UTC")),
                  "event": ["created", "update"], "n": pa.array([decimal.Decimal("2.50"), None], pa.decimal128(5, 2)),
                  "m": pa.array([float("nan"), 1.0])})
    d = [{"id": "A", "at": BASE, "event": "created", "n": 2.5},
         {"id": "A", "at": BASE + dt.timedelta(hours=1), "event": "update", "m": 1.0}]
    same(duly.evaluate(POLICY, t, AS_OF), duly.evaluate(POLICY, d, AS_OF))


def test_explain_and_store_take_arrow_data(tmp_path: Any) -> None:
    import json
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2] / "examples" / "helpdesk"
    policy = duly.load_policy(root / "policy.yaml")
    rs = [json.loads(line) for line in (root / "events.jsonl").read_text().splitlines()]
    t = pa.Table.from_pylist(rs)
    as_of = "2026-11-30T17:00:00Z"
    assert str(duly.explain(policy, t, "HD-1008", as_of)) == str(duly.explain(policy, rs, "HD-1008", as_of))
    with duly.Store(tmp_path / "a.db") as a, duly.Store(tmp_path / "b.db") as b:
        from_arrow, from_dicts = a.run(policy, t, as_of), b.run(policy, rs, as_of)
        pd.testing.assert_frame_equal(from_arrow, from_dicts)
        assert from_arrow.attrs["rejected"] == from_dicts.attrs["rejected"]
