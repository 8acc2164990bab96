"""``duly.Policy``: a compiled policy document (targets, goals, escalations; docs/policy.md).

A thin layer over ``duly._duly.Policy``, which holds the compiled C++ policy.
Policies are read from YAML or JSON text, or from a file; problems are reported
all at once, each with its position and the path of the failing element::

    policy = duly.load_policy("examples/helpdesk/policy.yaml")
    policy.targets          # ('first_response', 'resolution')
"""

from __future__ import annotations

import os
from typing import Any

from . import _duly
from ._convert import document_text, file_path, source_name

__all__ = ["Policy", "load_policy"]


class Policy:
    """Calendars, targets and escalations, compiled and ready to evaluate.

    Make one with :meth:`from_yaml`, :meth:`from_json` or :func:`duly.load_policy`;
    pass it to :func:`duly.evaluate`. A document with problems raises a
    ``duly.Error`` subclass (``duly.ParseError`` for YAML or schema problems,
    ``duly.InvalidArgumentError`` for bad values, ``duly.UnknownZoneError``...)
    whose ``str()`` lists every problem as ``file:line:column: path: message``
    and whose ``line``, ``column`` and ``path`` are the first problem's.

    Thread-safety: immutable; share it between threads freely (``evaluate``
    releases the GIL). Policies compare equal when their source texts are equal
    (by ``fingerprint``), hash, and pickle by their source text, so they travel
    to worker processes.
    """

    __slots__ = ("_native",)
    _native: _duly.Policy

    def __init__(self) -> None:
        raise TypeError(
            "use duly.Policy.from_yaml(text), duly.Policy.from_json(text) or duly.load_policy(path)"
        )

    @classmethod
    def _wrap(cls, native: _duly.Policy) -> Policy:
        self = cls.__new__(cls)
        self._native = native
        return self

    @classmethod
    def from_yaml(cls, text: str, *, source: str | None = None) -> Policy:
        """Parse and compile a YAML policy document.

        ``source`` names the text in messages, like a file name:
        ``source="helpdesk.yaml"`` gives ``helpdesk.yaml:12:17: targets[0]...``.
        """
        return cls._wrap(_duly.Policy.parse(document_text(text, "policy"), source_name(source)))

    @classmethod
    def from_json(cls, text: str, *, source: str | None = None) -> Policy:
        """Parse and compile a JSON policy document (same schema and reader as YAML)."""
        return cls._wrap(_duly.Policy.parse(document_text(text, "policy"), source_name(source)))

    # --- what it is -------------------------------------------------------------

    @property
    def targets(self) -> tuple[str, ...]:
        """Target names, in document order."""
        return tuple(self._native.target_names)

    @property
    def escalations(self) -> tuple[str, ...]:
        """Escalation names, in document order."""
        return tuple(self._native.escalation_names)

    @property
    def calendars(self) -> tuple[str, ...]:
        """Names of the calendars the document defines, in document order."""
        return tuple(self._native.calendar_names)

    @property
    def labels(self) -> dict[str, dict[str, str]]:
        """Each target's ``labels`` (free-form, e.g. ``{"kind": "sla"}``), by target name."""
        return dict(zip(self._native.target_names, self._native.target_labels))

    @property
    def attributes(self) -> dict[str, dict[str, Any]]:
        """The declared attributes (the policy's ``attributes:``), by name, in document order:
        ``{"priority": {"type": "text", "values": ["P1", "P2"]}, "promised_at": {"type": "instant"}}``
        (``values`` only for text that lists them). Empty when the policy declares none.

        With declarations, ``duly.evaluate`` and ``duly.explain`` take a value of a
        declared attribute only when it is of its type: otherwise the row is a
        rejected row (``attribute 'promised_at': declared instant, got "tomorrow"``),
        for dicts, DataFrames and Arrow data alike.
        """
        out: dict[str, dict[str, Any]] = {}
        for name, type_, values in self._native.declared_attributes:
            out[name] = {"type": type_, "values": list(values)} if values else {"type": type_}
        return out

    @property
    def warnings(self) -> tuple[str, ...]:
        """What compiling found doubtful without refusing the policy, as
        ``"file:line:column: path: message"``: with declared attributes, a text compared
        with a declared text attribute that is not one of its ``values``
        (``"P4" is not a declared value of 'priority' (declared: P1, P2, P3)``).
        """
        return tuple(self._native.warnings)

    @property
    def fingerprint(self) -> str:
        """A stable fingerprint of the source text (16 hex digits, FNV-1a).

        Equal texts give equal fingerprints; any edit, even to a comment,
        changes it. Store it next to results to know which policy made them.
        """
        return self._native.fingerprint

    @property
    def source(self) -> str:
        """The YAML or JSON text the policy was compiled from."""
        return self._native.source

    @property
    def source_name(self) -> str | None:
        """The file name (or ``source``) the text was read under; ``None`` if none."""
        return self._native.source_name or None

    def __repr__(self) -> str:
        where = f" {self.source_name!r}" if self.source_name else ""
        return (
            f"<duly.Policy{where} targets={list(self.targets)!r} "
            f"escalations={list(self.escalations)!r} fingerprint={self.fingerprint!r}>"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Policy):
            return NotImplemented
        return self.fingerprint == other.fingerprint

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_from_source, (self.source, self.source_name or ""))

    def __copy__(self) -> Policy:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Policy:
        return self


def _from_source(text: str, source_name: str) -> Policy:
    """Unpickling: compile the source text again, under the same name."""
    return Policy._wrap(_duly.Policy.parse(text, source_name))


def load_policy(path: str | os.PathLike[str]) -> Policy:
    """Read, parse and compile a YAML or JSON policy file.

    Messages name the file: ``policy.yaml:9:36: targets[1].goals[0].calendar:
    unknown calendar 'nope'``. A file that cannot be read raises
    ``duly.IoError``.
    """
    return Policy._wrap(_duly.Policy.load(file_path(path)))
