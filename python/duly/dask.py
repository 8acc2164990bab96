"""``duly.dask``: evaluate a history too big for one machine, partition by partition.

Needs dask (``pip install 'duly[dask]'``); ``import duly`` never imports it.

The events of one record must be evaluated together, so the Dask DataFrame is
first shuffled on ``id``: after that every record's events sit in one
partition, and each partition is evaluated with the same engine as
``duly.evaluate``. Within a record the input order is kept (the engine applies
rows at one instant in input order), by numbering the rows before the shuffle.
The policy travels to the workers by pickling (it pickles as its source text).

    import dask.dataframe as dd
    import duly, duly.dask

    ddf = dd.read_parquet("events/")                     # id, at, event, attributes...
    timers = duly.dask.evaluate(policy, ddf, "2017-03-01T00:00:00Z")
    timers.groupby("target").state.value_counts().compute()

On a cluster, create a ``distributed.Client`` first; nothing else changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

try:
    import dask
    import dask.dataframe as dd
    from dask.delayed import delayed
except ImportError as e:  # pragma: no cover - dask is installed for the tests
    raise ImportError("duly.dask needs dask[dataframe]: pip install 'duly[dask]'") from e

from ._convert import InstantLike, format_instant, instant_seconds, type_name
from ._errors import InvalidArgumentError
from ._evaluation import evaluate as _evaluate_local
from ._evaluation import require_policy
from ._events import check_rows, check_tz, pandas_module
from ._policy import Policy

if TYPE_CHECKING:
    from pandas import DataFrame  # type: ignore[import, unused-ignore]

__all__ = ["DaskFrames", "evaluate", "evaluate_frames"]

_PART = "_duly_partition"
_ROW = "_duly_row"


class DaskFrames(NamedTuple):
    """The three lazy results of ``evaluate_frames``; they share the evaluation tasks,
    so ``dask.compute(f.timers, f.escalations)`` evaluates each partition once.

    - ``timers``, ``escalations``: the columns of ``Evaluation.timers_frame()`` and
      ``escalations_frame()``;
    - ``rejected``: ``partition``, ``row`` (the input partition and 0-based row in
      it, as a line number of one big input would mean little), ``reason``.
    """

    timers: Any
    escalations: Any
    rejected: Any


def _number(frame: DataFrame, partition_info: dict[str, Any] | None = None) -> DataFrame:
    """The partition's rows, with their input partition and position added."""
    number = 0 if partition_info is None else int(partition_info["number"])
    out = frame.copy()
    out[_PART] = number
    out[_ROW] = range(len(frame))
    return out


def _evaluate_partition(
    policy: Policy, frame: DataFrame, as_of: str, rows: str = "changes", tz: str | None = None
) -> tuple[DataFrame, DataFrame, DataFrame]:
    """One partition (all events of its records): input order restored, then evaluated."""
    pd = pandas_module()
    frame = frame.sort_values([_PART, _ROW], kind="stable")
    events = frame.drop(columns=[_PART, _ROW]).reset_index(drop=True)
    # One thread: Dask's scheduler runs partitions on every core already.
    result = _evaluate_local(policy, events, as_of, rows=rows, tz=tz, threads=1)
    lines = [r.line - 1 for r in result.rejected]
    rejected = pd.DataFrame(
        {
            "partition": pd.array(frame[_PART].to_numpy()[lines], dtype="Int64"),
            "row": pd.array(frame[_ROW].to_numpy()[lines], dtype="Int64"),
            "reason": pd.array([r.reason for r in result.rejected], dtype="string"),
        }
    )
    return result.timers_frame(), result.escalations_frame(), rejected


def _pick(parts: tuple[DataFrame, DataFrame, DataFrame], i: int) -> DataFrame:
    return parts[i]


def evaluate_frames(
    policy: Policy,
    ddf: Any,
    as_of: InstantLike,
    *,
    npartitions: int | None = None,
    rows: str = "changes",
    tz: Any = None,
) -> DaskFrames:
    """Timers, escalation firings and rejected rows of a Dask DataFrame of events, lazily.

    ``ddf`` has the columns ``duly.evaluate`` takes from a pandas DataFrame
    (``id``, ``at``, ``event``, attributes). It is shuffled on ``id`` into
    ``npartitions`` partitions (default: as many as it has), so that no record
    is split, and each partition is evaluated at ``as_of`` by the same engine
    (``rows`` and ``tz`` as for ``duly.evaluate``; partitions of any pandas
    dtypes, Arrow-backed ones such as ``string[pyarrow]`` and
    ``timestamp[us, tz=UTC][pyarrow]`` included)::

        >>> f = duly.dask.evaluate_frames(policy, ddf, "2017-03-01T00:00:00Z")
        >>> timers, firings = dask.compute(f.timers, f.escalations)

    The rows come by partition, and within one as ``duly.evaluate`` orders them;
    sort by ``id``, ``target``, ``cycle`` for a stable order.
    """
    require_policy(policy)
    if not isinstance(ddf, dd.DataFrame):
        raise InvalidArgumentError(f"expected a dask DataFrame, got {type_name(ddf)}", path="ddf")
    for column in ("id", "at", "event"):
        if column not in ddf.columns:
            raise InvalidArgumentError(f"the events have no '{column}' column", path="ddf")
    if npartitions is not None and (not isinstance(npartitions, int) or npartitions < 1):
        raise InvalidArgumentError("expected a positive number of partitions", path="npartitions")
    as_of_text = format_instant(instant_seconds(as_of, "as_of"))
    rows = check_rows(rows)
    zone = check_tz(tz)
    # The types of the results, from evaluating no events (also checks the columns' types).
    meta = _evaluate_partition(policy, _number(ddf._meta), as_of_text, rows, zone)
    source: Any = ddf  # dask's own annotations are partial
    numbered = source.map_partitions(_number, meta=_number(ddf._meta))
    shuffled = numbered.shuffle(on="id", npartitions=npartitions or ddf.npartitions)
    evaluated = [delayed(_evaluate_partition)(policy, part, as_of_text, rows, zone) for part in shuffled.to_delayed()]
    # The frames come typed from the engine (``string``, ``Int64``, UTC instants, and
    # ``actions`` as Python lists): dask must not turn object columns into text.
    with dask.config.set({"dataframe.convert-string": False}):
        frames = [
            dd.from_delayed([delayed(_pick)(e, i) for e in evaluated], meta=meta[i], verify_meta=False)
            for i in range(3)
        ]
    return DaskFrames(*frames)


def evaluate(
    policy: Policy,
    ddf: Any,
    as_of: InstantLike,
    *,
    npartitions: int | None = None,
    rows: str = "changes",
    tz: Any = None,
) -> Any:
    """The timers of a Dask DataFrame of events at ``as_of``, as a Dask DataFrame.

    The same rows as ``duly.evaluate(policy, ddf.compute(), as_of).timers_frame()``,
    computed partition by partition (see ``evaluate_frames``, which also gives the
    escalation firings and rejected rows)::

        >>> timers = duly.dask.evaluate(policy, ddf, "2017-03-01T00:00:00Z")
        >>> timers[timers.state == "breached"].groupby("target").size().compute()
    """
    return evaluate_frames(policy, ddf, as_of, npartitions=npartitions, rows=rows, tz=tz).timers
