"""``duly.spark``: evaluate a Spark DataFrame of events on the cluster's executors.

Needs pyspark (``pip install 'duly[spark]'``, which also brings pyarrow) and a
Java runtime; ``import duly`` never imports it.

The events of one record must be evaluated together and in their input order.
So each row is first numbered (``monotonically_increasing_id``: increasing
through the input, partition after partition), the rows are grouped by a hash
of ``id`` into buckets (``groupBy(...).applyInArrow``: every record in exactly
one bucket, however its rows were spread over the input partitions), and each
bucket is put back in input order and evaluated by the same engine as
``duly.evaluate``, from its Arrow data. The policy goes to the executors once, as
a broadcast of its text, and is compiled once per Python worker.

    import duly, duly.spark

    events = spark.read.parquet("s3://bucket/events/")        # id, at, event, attributes...
    timers = duly.spark.evaluate(policy, events, "2017-03-01T00:00:00Z")
    timers.groupBy("target", "state").count().show()
"""

from __future__ import annotations

from typing import Any

try:
    import pyspark.sql.functions as F
    from pyspark.sql import DataFrame as SparkDataFrame
    from pyspark.sql import types as T
except ImportError as e:  # pragma: no cover - pyspark is installed for the tests
    raise ImportError("duly.spark needs pyspark: pip install 'duly[spark]'") from e

from ._convert import InstantLike, format_instant, instant_seconds, type_name
from ._errors import InvalidArgumentError
from ._evaluation import require_policy
from ._events import check_rows, check_tz
from ._policy import Policy

__all__ = ["escalations", "evaluate", "rejected"]

_SEQ = "_duly_seq"
_BUCKET = "_duly_bucket"

#: The timer rows: the columns of ``Evaluation.timers_table()``.
TIMERS = T.StructType(
    [
        T.StructField("id", T.StringType()),
        T.StructField("target", T.StringType()),
        T.StructField("cycle", T.LongType()),
        T.StructField("state", T.StringType()),
        T.StructField("goal_seconds", T.LongType()),
        T.StructField("goal", T.StringType()),
        T.StructField("zone", T.StringType()),
        T.StructField("started", T.TimestampType()),
        T.StructField("stopped", T.TimestampType()),
        T.StructField("due", T.TimestampType()),
        T.StructField("breached_at", T.TimestampType()),
        T.StructField("elapsed_seconds", T.LongType()),
        T.StructField("remaining_seconds", T.LongType()),
        T.StructField("paused_seconds", T.LongType()),
        T.StructField("next_wakeup", T.TimestampType()),
    ]
)
#: The escalation firings: the columns of ``Evaluation.escalations_table()``.
ESCALATIONS = T.StructType(
    [
        T.StructField("id", T.StringType()),
        T.StructField("target", T.StringType()),
        T.StructField("escalation", T.StringType()),
        T.StructField("cycle", T.LongType()),
        T.StructField("point", T.LongType()),
        T.StructField("fired_at", T.TimestampType()),
        T.StructField("deliver_at", T.TimestampType()),
        T.StructField("key", T.StringType()),
        T.StructField("actions", T.StringType()),
    ]
)

#: The rows that could not become events: ``row`` is the input row's number
#: (``monotonically_increasing_id``, increasing through the input), ``reason`` as
#: ``duly.evaluate`` words it.
REJECTED = T.StructType([T.StructField("row", T.LongType()), T.StructField("reason", T.StringType())])

# Policies compiled in this Python worker, by (source name, text): each executor
# process compiles a broadcast policy once, however many buckets it evaluates.
_compiled: dict[tuple[str, str], Policy] = {}


def _policy_of(shipped: tuple[str, str]) -> Policy:
    policy = _compiled.get(shipped)
    if policy is None:
        name, text = shipped
        policy = _compiled[shipped] = Policy.from_yaml(text, source=name or None)
    return policy


def _evaluator(broadcast: Any, as_of: str, rows: str, tz: str | None, what: str) -> Any:
    """The function each bucket goes through: Arrow table of events -> Arrow table of results."""

    def run(table: Any) -> Any:
        from ._evaluation import evaluate as evaluate_local

        policy = _policy_of(broadcast.value)
        order = table.column(_SEQ).to_numpy().argsort(kind="stable")
        events = table.take(order).drop_columns([_SEQ, _BUCKET])
        # One thread: Spark runs a task per executor core already.
        result = evaluate_local(policy, events, as_of, rows=rows, tz=tz, threads=1)
        if what == "rejected":
            import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

            seq = table.column(_SEQ).to_numpy()[order]
            return pa.table({
                "row": pa.array([int(seq[r.line - 1]) for r in result.rejected], type=pa.int64()),
                "reason": pa.array([r.reason for r in result.rejected], type=pa.string()),
            })
        out = result.timers_table() if what == "timers" else result.escalations_table()
        return out.select([f.name for f in _SCHEMAS[what].fields])

    return run


def _frames(policy: Policy, events: Any, as_of: InstantLike, rows: str, tz: Any, buckets: int | None,
            what: str) -> Any:
    require_policy(policy)
    if not isinstance(events, SparkDataFrame):
        raise InvalidArgumentError(f"expected a Spark DataFrame, got {type_name(events)}", path="events")
    for column in ("id", "at", "event"):
        if column not in events.columns:
            raise InvalidArgumentError(f"the events have no '{column}' column", path="events")
    rows = check_rows(rows)
    zone = check_tz(tz)
    if buckets is not None and (not isinstance(buckets, int) or isinstance(buckets, bool) or buckets < 1):
        raise InvalidArgumentError("expected a positive number of buckets", path="buckets")
    as_of_text = format_instant(instant_seconds(as_of, "as_of"))
    spark = events.sparkSession
    n = buckets or int(spark.conf.get("spark.sql.shuffle.partitions", "200") or "200")
    shipped = spark.sparkContext.broadcast((policy.source_name, policy.source))
    numbered = events.withColumn(_SEQ, F.monotonically_increasing_id()).withColumn(
        _BUCKET, F.pmod(F.hash(F.col("id")), F.lit(n))
    )
    return numbered.groupBy(_BUCKET).applyInArrow(_evaluator(shipped, as_of_text, rows, zone, what), _SCHEMAS[what])


def evaluate(
    policy: Policy,
    events: Any,
    as_of: InstantLike,
    *,
    rows: str = "changes",
    tz: Any = None,
    buckets: int | None = None,
) -> Any:
    """The timers of a Spark DataFrame of events at ``as_of``, as a Spark DataFrame.

    ``events`` has the columns ``duly.evaluate`` takes from a frame (``id``,
    ``at``, ``event``, attributes; ``at`` a Spark ``timestamp``, which is an
    instant, or ISO-8601 text); ``rows`` and ``tz`` as for ``duly.evaluate``. The
    rows are those of ``duly.evaluate(...).timers_table()`` on the same events, in
    no particular order (sort by ``id``, ``target``, ``cycle``); ``buckets`` is how
    many groups the records are hashed into (default
    ``spark.sql.shuffle.partitions``).
    """
    return _frames(policy, events, as_of, rows, tz, buckets, "timers")


def escalations(
    policy: Policy,
    events: Any,
    as_of: InstantLike,
    *,
    rows: str = "changes",
    tz: Any = None,
    buckets: int | None = None,
) -> Any:
    """The escalation firings up to ``as_of``, as a Spark DataFrame with the columns of
    ``Evaluation.escalations_table()`` (``actions`` as JSON text); see ``evaluate``."""
    return _frames(policy, events, as_of, rows, tz, buckets, "escalations")


def rejected(
    policy: Policy,
    events: Any,
    as_of: InstantLike,
    *,
    rows: str = "changes",
    tz: Any = None,
    buckets: int | None = None,
) -> Any:
    """The rows that could not become events, as a Spark DataFrame: ``row`` (the
    input row's ``monotonically_increasing_id``, numbered before the grouping) and
    ``reason``; see ``evaluate``. Nothing is dropped silently: every input row is an
    event or one of these."""
    return _frames(policy, events, as_of, rows, tz, buckets, "rejected")


_SCHEMAS = {"timers": TIMERS, "escalations": ESCALATIONS, "rejected": REJECTED}
