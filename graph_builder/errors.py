"""Exceptions raised by lexgraph, and the exit codes the CLI maps them to."""

from __future__ import annotations

EXIT_OK = 0  # success; for checks: the graph conforms
EXIT_VIOLATIONS = 1  # a check found violations
EXIT_ERROR = 2  # usage, input or runtime error


class LexgraphError(Exception):
    """Base class of every error lexgraph reports to a user as one line."""


class InputError(LexgraphError):
    """A source cannot be read or understood: the message names the file and, where known, the line.

    ``str(error)`` is ``"FILE:LINE:COLUMN: message"`` (line and column only where they apply),
    the form compilers use so editors can jump to the spot.
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = [part for part in (self.path, self.line, self.column) if part is not None]
        prefix = ":".join(str(part) for part in where)
        return f"{prefix}: {self.message}" if prefix else self.message


class CatalogueError(LexgraphError):
    """The instrument catalogue is missing or malformed."""
