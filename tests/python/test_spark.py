"""duly.spark on a local[2] Spark: the same timers, firings and rejected rows as locally.

One SparkSession for the module (starting the JVM is the slow part) and small
frames; a record whose rows lie in several input partitions must come out as
one record, in input order.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import sys

import pytest

import duly

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
pyspark = pytest.importorskip("pyspark")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):  # pragma: no cover
    pytest.skip("Spark needs Java (openjdk-17-jre-headless)", allow_module_level=True)

import duly.spark  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402

# pyspark 4.3 warns that it does not fully support pandas 3 whenever a pandas frame
# crosses (createDataFrame, toPandas); duly.spark itself goes through Arrow only.
pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")

ROOT = pathlib.Path(__file__).resolve().parents[2]
HELPDESK = ROOT / "examples" / "helpdesk"
AS_OF = "2026-11-30T17:00:00Z"
SORT = ["id", "target", "cycle"]


@pytest.fixture(scope="module")
def spark() -> SparkSession:
    # The Python workers must run this interpreter (its venv has duly installed).
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("duly-tests")
        .config("spark.sql.shuffle.partitions", "3")
        .config("spark.pyspark.python", sys.executable)  # the workers run this venv's Python
        .config("spark.pyspark.driver.python", sys.executable)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(scope="module")
def events() -> list[dict[str, str]]:
    """The helpdesk example's events (text values, one bad instant on line 23)."""
    with open(HELPDESK / "events.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def sorted_pandas(table: pa.Table, by: list[str]) -> pd.DataFrame:
    return table.to_pandas().sort_values(by, kind="stable").reset_index(drop=True)


def test_evaluate_equals_local_with_a_record_split_over_partitions(
    spark: SparkSession, events: list[dict[str, str]]
) -> None:
    import pyspark.sql.functions as F
    from pyspark.sql import types as T

    policy = duly.load_policy(HELPDESK / "policy.yaml")
    columns = list(dict.fromkeys(k for e in events for k in e))
    schema = T.StructType([T.StructField(c, T.StringType()) for c in columns])
    rows = [tuple(e.get(c) for c in columns) for e in events]  # a missing key is a null: no change
    sdf = spark.createDataFrame(spark.sparkContext.parallelize(rows, 4), schema)
    placed = sdf.withColumn("part", F.spark_partition_id())
    parts = placed.groupBy("id").agg(F.countDistinct("part").alias("n")).where("n > 1").count()
    assert parts > 0  # some record's rows are in more than one input partition

    local = duly.evaluate(policy, events, AS_OF)
    timers = duly.spark.evaluate(policy, sdf, AS_OF).toArrow()
    got = sorted_pandas(timers, SORT)
    pd.testing.assert_frame_equal(got, sorted_pandas(local.timers_table(), SORT), check_dtype=False)
    assert len(got) == 20
    firings = sorted_pandas(duly.spark.escalations(policy, sdf, AS_OF, buckets=2).toArrow(), ["key"])
    pd.testing.assert_frame_equal(firings, sorted_pandas(local.escalations_table(), ["key"]), check_dtype=False)
    rejected = duly.spark.rejected(policy, sdf, AS_OF).toArrow().to_pylist()
    assert [r["reason"] for r in rejected] == [r.reason for r in local.rejected]
    numbered = sdf.withColumn("row", F.monotonically_increasing_id()).where(F.col("row") == rejected[0]["row"])
    assert numbered.first()["at"] == events[22]["at"]  # line 23


def test_snapshots_and_text_at(spark: SparkSession) -> None:
    policy = duly.Policy.from_yaml(
        "duly: 1\ntargets:\n  - name: r\n    start_when: event == 'created'\n    pause_when: assignee == null\n"
        "    goals: [{within: 4h}]\n"
    )
    df = pd.DataFrame({
        "id": ["A", "A", "B"],
        "at": ["2026-11-30T09:00:00Z", "2026-11-30T10:00:00Z", "2026-11-30T09:30:00Z"],
        "event": ["created", "update", "created"],
        "assignee": ["ann", None, "bob"],
    })
    sdf = spark.createDataFrame(df.astype(object).where(df.notna(), None))
    got = sorted_pandas(duly.spark.evaluate(policy, sdf, AS_OF, rows="snapshots").toArrow(), SORT)
    want = sorted_pandas(duly.evaluate(policy, df, AS_OF, rows="snapshots").timers_table(), SORT)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert list(got["state"]) == ["paused", "breached"]


def test_arguments_are_checked(spark: SparkSession) -> None:
    policy = duly.load_policy(HELPDESK / "policy.yaml")
    with pytest.raises(duly.InvalidArgumentError, match="expected a Spark DataFrame"):
        duly.spark.evaluate(policy, [], AS_OF)
    sdf = spark.createDataFrame(pd.DataFrame({"id": ["A"], "event": ["x"]}))
    with pytest.raises(duly.InvalidArgumentError, match="no 'at' column"):
        duly.spark.evaluate(policy, sdf, AS_OF)
