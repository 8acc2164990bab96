"""duly's exceptions: ``duly.Error`` (a ``ValueError``) and one subclass per code.

Every error carries one or more :class:`Diagnostic` records (a parser reports
every problem it finds at once). The attributes ``line``, ``column``, ``path``
and ``file`` of the error are those of its first diagnostic, ``None`` when
unknown::

    >>> try:
    ...     duly.Calendar(hours={"mon-fri": "9-17"})
    ... except duly.Error as e:
    ...     print(type(e).__name__, e.path)
    InvalidArgumentError hours.mon-fri

Errors raised by the compiled core reach Python through the factory installed
by :func:`_install` below.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import ClassVar

__all__ = [
    "Diagnostic",
    "Error",
    "InvalidArgumentError",
    "ParseError",
    "UnknownZoneError",
    "OutOfRangeError",
    "NeverOpenError",
    "NeverClosesError",
    "IoError",
    "StoreBusyError",
    "StoreUnusableError",
]


@dataclasses.dataclass(frozen=True)
class Diagnostic:
    """One problem, with its position when known (``None`` when not).

    ``code`` is the stable name of the error code (``"parse_error"``, ...);
    ``path`` names the failing element (``"hours.mon-fri[0]"``) or argument
    (``"durations[3]"``); ``line`` and ``column`` count from 1.
    """

    code: str
    message: str
    path: str | None = None
    file: str | None = None
    line: int | None = None
    column: int | None = None
    source_line: str | None = None

    def __str__(self) -> str:
        """``file:line:column: path: message``, leaving out the unknown parts."""
        where = ""
        if self.file:
            where += f"{self.file}:"
        if self.line:
            where += f"{self.line}:"
            if self.column:
                where += f"{self.column}:"
        out = f"{where} " if where else ""
        if self.path:
            out += f"{self.path}: "
        return out + self.message

    def render(self) -> str:
        """``str(self)`` plus, when known, the source line with a caret under the column."""
        out = str(self)
        if self.source_line and self.column:
            pad = "".join(
                "\t" if i < len(self.source_line) and self.source_line[i] == "\t" else " "
                for i in range(self.column - 1)
            )
            out += f"\n{self.source_line}\n{pad}^"
        return out

    def without_position(self) -> Diagnostic:
        """The same problem with no file, line, column or source line."""
        return dataclasses.replace(self, file=None, line=None, column=None, source_line=None)


class Error(ValueError):
    """Base class of every error duly raises for bad input or impossible requests."""

    #: Stable name of the error code; each subclass has its own.
    code: ClassVar[str] = "error"

    diagnostics: list[Diagnostic]
    line: int | None
    column: int | None
    path: str | None
    file: str | None

    def __init__(
        self,
        message: str = "",
        *,
        diagnostics: Iterable[Diagnostic] = (),
        path: str | None = None,
    ) -> None:
        """``Error(message, path=...)`` for one problem, or ``Error(diagnostics=[...])``.

        Given ``path`` and no diagnostics, the text is ``"path: message"``.
        """
        diags = list(diagnostics)
        if not diags:
            diags = [Diagnostic(code=self.code, message=message, path=path)]
            message = str(diags[0])
        elif not message:
            message = "\n".join(str(d) for d in diags)
        super().__init__(message)
        self.diagnostics = diags
        first = diags[0]
        self.line = first.line
        self.column = first.column
        self.path = first.path
        self.file = first.file

    @property
    def message(self) -> str:
        """The error text: every diagnostic as ``file:line:column: path: message``."""
        return str(self.args[0]) if self.args else ""

    def render(self) -> str:
        """Every diagnostic with its source line and a caret, where known."""
        return "\n".join(d.render() for d in self.diagnostics)

    def without_position(self) -> Error:
        """A copy with file, line and column dropped (for documents duly generated)."""
        return type(self)(diagnostics=[d.without_position() for d in self.diagnostics])

    def with_path(self, path: str) -> Error:
        """A copy whose diagnostics without a path get ``path``."""
        return type(self)(
            diagnostics=[d if d.path else dataclasses.replace(d, path=path) for d in self.diagnostics]
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_error, (type(self), self.message, tuple(self.diagnostics)))


def _rebuild_error(cls: type[Error], message: str, diagnostics: Sequence[Diagnostic]) -> Error:
    return cls(message, diagnostics=diagnostics)


class InvalidArgumentError(Error):
    """A value is malformed or out of its domain (``"25:00-26:00"``, a naive datetime...)."""

    code = "invalid_argument"


class ParseError(Error):
    """A document (YAML, JSON) could not be read."""

    code = "parse_error"


class UnknownZoneError(Error):
    """An IANA time zone name the system's tz database does not know."""

    code = "unknown_zone"


class OutOfRangeError(Error):
    """An instant outside the supported years (1970 to 2199), or a too long duration."""

    code = "out_of_range"


class NeverOpenError(Error):
    """A calendar with no open time within ten years of the start."""

    code = "never_open"


class NeverClosesError(Error):
    """A calendar with no closed time within ten years of the start."""

    code = "never_closes"


class IoError(Error):
    """A file could not be read (or a store written: no space, no permission, no such store)."""

    code = "io_error"


class StoreBusyError(Error):
    """Another run holds the store for longer than the ``wait`` allowed: try again later."""

    code = "store_busy"


class StoreUnusableError(Error):
    """Not a duly store, a damaged one, or one written by a newer duly: restore it from a backup."""

    code = "store_unusable"


_BY_CODE: dict[str, type[Error]] = {
    cls.code: cls
    for cls in (
        InvalidArgumentError,
        ParseError,
        UnknownZoneError,
        OutOfRangeError,
        NeverOpenError,
        NeverClosesError,
        IoError,
        StoreBusyError,
        StoreUnusableError,
    )
}


def error_class(code: str) -> type[Error]:
    """The exception class for a code name (``Error`` itself for an unknown one)."""
    return _BY_CODE.get(code, Error)


def _install() -> None:
    """Hand the compiled module the factory that builds these exceptions."""
    from . import _duly

    names = _duly.error_codes()

    def factory(
        code: int,
        message: str,
        diagnostics: list[tuple[int, str, str, str, int, int, str]],
    ) -> Error:
        diags = [
            Diagnostic(
                code=names.get(c, "unknown"),
                message=msg,
                path=path or None,
                file=file or None,
                line=line or None,
                column=column or None,
                source_line=source_line or None,
            )
            for (c, msg, path, file, line, column, source_line) in diagnostics
        ]
        return error_class(names.get(code, "unknown"))(message, diagnostics=diags)

    _duly._set_error_factory(factory)
