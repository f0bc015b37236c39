"""Errors raised by stickiness.

Every error names the column or option at fault and ends with how to fix it.
Each class also inherits the matching builtin, so ``except KeyError`` or
``except ValueError`` in existing code keeps working.
"""

from __future__ import annotations

__all__ = [
    "AmbiguousColumnError",
    "ColumnNotFoundError",
    "EmptyLogError",
    "InputFileError",
    "InvalidOptionError",
    "InvalidValueError",
    "MixedTimeZoneError",
    "ModelFitError",
    "OutputFolderError",
    "StageError",
    "StickinessError",
    "UnsupportedSourceError",
    "UsersTableError",
]


class StickinessError(Exception):
    """Base class of every error stickiness raises on purpose."""


class ColumnNotFoundError(StickinessError, KeyError):
    """A required column is missing, or a named column does not exist."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class AmbiguousColumnError(StickinessError, KeyError):
    """More than one column could play the same role (user, time or event)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class InvalidValueError(StickinessError, ValueError):
    """A column holds values a metric cannot use (negative revenue, a score outside 0-10, duplicate ids)."""


class MixedTimeZoneError(StickinessError, ValueError):
    """A time column mixes values with a UTC offset and values without one."""


class InvalidOptionError(StickinessError, ValueError):
    """A keyword option has a value outside what it accepts."""


class ModelFitError(StickinessError, ValueError):
    """A repeat-use model cannot be fitted: too few repeat users, or the optimiser does not settle."""


class UnsupportedSourceError(StickinessError, TypeError):
    """The input is neither a supported file nor a supported in-memory frame."""


class EmptyLogError(StickinessError, ValueError):
    """No row of the log is usable: every row was set aside (the ledger says why)."""


class UsersTableError(StickinessError, ValueError):
    """The users table cannot be joined to the log (missing key, duplicate users)."""


class OutputFolderError(StickinessError, OSError):
    """An output folder cannot be written: a file, no permission, foreign files in it, or another run writing it."""

    def __str__(self) -> str:  # OSError would show its (errno, strerror) form for two arguments
        return str(self.args[0]) if self.args else ""


class InputFileError(StickinessError, ValueError):
    """An input file cannot be read: not in its encoding, a malformed row or line, files of different schemas."""


class StageError(StickinessError, LookupError):
    """A stage is asked for by a name or key fields that ``stickiness.stages.STAGES`` does not declare (a bug)."""
