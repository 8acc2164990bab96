"""``duly.events_from_history``: a field-history table turned into events.

Helpdesks keep changes as one row per changed field (ServiceNow ``sys_audit``,
Zendesk ``ticket_field_history``): record, instant, field name, new value. The
rows of one (record, instant) are one event, which sets every field they name;
the result is a pandas DataFrame of change rows, as ``duly.evaluate`` takes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._convert import type_name
from ._errors import InvalidArgumentError
from ._events import is_arrow, is_dataframe, pandas_module

__all__ = ["events_from_history"]

_TYPES = {
    "string": "string", "str": "string", "text": "string",
    "number": "number", "integer": "number", "int": "number", "float": "number", "decimal": "number",
    "boolean": "boolean", "bool": "boolean",
    "instant": "instant", "datetime": "instant", "timestamp": "instant",
    "null": "null",
}
_TRUE = {"true", "1", "yes", "t", "y"}
_FALSE = {"false", "0", "no", "f", "n"}


def _convert(text: Any, kind: str, row: int) -> Any:
    """One text value as its type (a bad one raises, naming the row)."""
    def bad(expected: str) -> InvalidArgumentError:
        return InvalidArgumentError(f"{text!r} is not {expected}", path=f"value[{row}]")

    if kind == "null":
        return None
    if not isinstance(text, str):
        return text  # already typed
    if kind == "string":
        return text
    if kind == "number":
        try:
            return float(text)
        except ValueError:
            raise bad("a number") from None
    if kind == "boolean":
        low = text.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise bad("a boolean (true/false)")
    return text  # an instant: ISO-8601 text, as JSON Lines carry instants


def events_from_history(
    frame: Any,
    *,
    id: str = "id",
    at: str = "at",
    field: str = "field",
    value: str = "value",
    event: str | None = None,
    type: str | None = None,
    name: str = "updated",
) -> Any:
    """The events of a field-history table, as a pandas DataFrame of change rows.

    ``frame`` is a pandas DataFrame or Arrow data (pyarrow, polars, DuckDB) with one
    row per changed field: the record (column ``id``), the instant (``at``), the
    field's name (``field``) and its new value (``value``). The rows of one
    (record, instant) become one event, at the place of its first row, which sets
    every field they name (a field named twice there: its last row wins). The
    result has the columns ``id``, ``at``, ``event`` and one per field, in order of
    first appearance; ``duly.evaluate(policy, events, as_of)`` reads it as change
    rows: a cell an event does not set is ``pd.NA`` (no change).

    - ``value``: typed (numbers, bools, text...) or text. With ``type`` (a column
      naming each row's type: ``string``, ``number``, ``boolean``, ``instant`` or
      ``null``, and the aliases ``text``, ``integer``, ``float``, ``bool``,
      ``datetime``, ``timestamp``), text is converted to it; a value that does not
      convert raises, naming its row.
    - A null value (or type ``null``) **clears** the field: the cell is ``None``,
      which clears an attribute, as JSON's ``null`` does.
    - ``event``: a column naming each row's event (the first non-null of a
      group names it); without one, every event is named ``name`` (``"updated"``).
    """
    pd = pandas_module()
    if is_arrow(frame) and not is_dataframe(frame):
        from ._arrow_events import table_of

        frame = table_of(frame).to_pandas()
    if not is_dataframe(frame):
        raise InvalidArgumentError(
            f"expected a field-history table (a pandas DataFrame or Arrow data), got {type_name(frame)}",
            path="frame",
        )
    wanted = {"id": id, "at": at, "field": field, "value": value}
    if event is not None:
        wanted["event"] = event
    if type is not None:
        wanted["type"] = type
    for role, column in wanted.items():
        if not isinstance(column, str) or column not in frame.columns:
            raise InvalidArgumentError(
                f"the history has no column {column!r} (for {role}); it has "
                f"{', '.join(map(repr, frame.columns))}",
                path=role,
            )
    n = len(frame)
    fields_raw = frame[field].to_numpy(dtype=object)
    for row, f in enumerate(fields_raw.tolist()):
        if not isinstance(f, str) or not f:
            raise InvalidArgumentError(f"a field name must be non-empty text, got {f!r}", path=f"field[{row}]")
        if f in ("id", "at", "event"):
            raise InvalidArgumentError(
                f"field {f!r} would overwrite the event's own {f!r}: rename it first", path=f"field[{row}]"
            )
    group = frame.groupby([frame[id], frame[at]], sort=False, dropna=False).ngroup().to_numpy()
    groups = int(group.max()) + 1 if n else 0
    first = np.full(groups, n, dtype=np.int64)
    np.minimum.at(first, group, np.arange(n))
    field_codes, field_names = pd.factorize(fields_raw, sort=False)
    values = frame[value].to_numpy(dtype=object)
    kinds = None if type is None else frame[type].to_numpy(dtype=object)
    cells = np.empty((groups, len(field_names)), dtype=object)
    cells[:] = pd.NA
    for row in range(n):
        v = values[row]
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
            v = None
        elif kinds is not None:
            k = kinds[row]
            kind = _TYPES.get(str(k).lower()) if isinstance(k, str) else None
            if kind is None:
                raise InvalidArgumentError(
                    f"unknown type {k!r}: expected one of {', '.join(sorted(set(_TYPES)))}", path=f"type[{row}]"
                )
            v = _convert(v, kind, row)
        elif isinstance(v, np.generic):
            v = v.item()
        cells[group[row], field_codes[row]] = v
    out: dict[str, Any] = {
        "id": frame[id].iloc[first].reset_index(drop=True),
        "at": frame[at].iloc[first].reset_index(drop=True),
    }
    if event is None:
        out["event"] = pd.Series([name] * groups, dtype=object)
    else:
        names = frame[event].groupby(group).first().reindex(range(groups))
        out["event"] = names.fillna(name).astype(object).reset_index(drop=True)
    for j, f in enumerate(field_names.tolist()):
        out[str(f)] = pd.Series(cells[:, j], dtype=object)
    return pd.DataFrame(out)
