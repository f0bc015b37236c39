"""Output folders written whole or not at all: a lock, a staging folder beside the target, and a swap.

A run writes into ``.OUT.staging-<random>`` next to ``OUT`` while it holds the lock
file ``.OUT.lock`` (created with ``O_CREAT | O_EXCL``, holding the pid, host and start
time). When the run succeeds, :meth:`StagedFolder.commit` swaps the folders with two
renames: ``OUT`` to ``.OUT.old-<random>``, then the staging folder to ``OUT``; the old
folder is then deleted. A run that fails or is interrupted (Ctrl-C, SIGTERM) deletes its
staging folder, or keeps it as ``OUT.failed`` for debugging when asked to, and never
touches ``OUT``. A process killed between the two renames leaves the old folder under
its aside name; the next run into ``OUT`` puts it back (or deletes it if ``OUT`` is
there), and deletes staging folders left by killed runs. See docs/outputs.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Final

from stickiness.exceptions import OutputFolderError

__all__ = [
    "DEMO_NAMES",
    "REPORT_NAMES",
    "Interrupted",
    "StagedFolder",
    "is_staging",
    "lock_path",
    "staged_folder",
]

#: What a report writes at the top of its folder (the CLI, write_report, export_report).
REPORT_NAMES: Final = frozenset(
    {"report.html", "report.pdf", "report.ipynb", "report.xlsx", "report.pptx", "tables", "charts", "ledger.json"}
)
#: What ``stickiness demo`` writes.
DEMO_NAMES: Final = frozenset({"events.csv", "users.csv", "use_cases.csv", "use_case_profiles.csv"})
#: What Jupyter and desktops add to a folder they show: not the analyst's work, replaced with the folder.
_LITTER: Final = frozenset({".ipynb_checkpoints", ".DS_Store", "Thumbs.db", "desktop.ini"})
_STAGING: Final = re.compile(r"^\..+\.staging-[0-9a-f]{8}$")
#: A lock file that holds no readable pid this long after it was made is left over from a crash.
_UNREADABLE_STALE_AFTER: Final = 10.0

Note = Callable[[str], None]


class Interrupted(KeyboardInterrupt):
    """SIGTERM received while writing an output folder: raised like Ctrl-C, so the staging folder is removed."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"stopped by signal {signum}")


def _stderr_note(message: str) -> None:
    print(f"note: {message}", file=sys.stderr, flush=True)


def _show(option: str, value: object) -> str:
    """Name the option as its interface spells it: ``--out DIR`` on the command line, ``out='dir'`` in Python."""
    return f"{option} {value}" if option.startswith("--") else f"{option}={str(value)!r}"


def lock_path(target: Path) -> Path:
    """Return the lock file of the output folder ``target``: ``.NAME.lock`` beside it."""
    return target.parent / f".{target.name}.lock"


def is_staging(path: str | Path) -> bool:
    """Whether ``path`` is a staging folder (``.NAME.staging-<8 hex>``), which a run already writes whole.

    >>> is_staging("/tmp/.report.staging-0a1b2c3d"), is_staging("/tmp/report")
    (True, False)
    """
    return bool(_STAGING.match(Path(path).resolve().name))


# --------------------------------------------------------------------------- #
# Checks before the run                                                       #
# --------------------------------------------------------------------------- #


def _target(out: str | Path, option: str) -> Path:
    """Resolve ``out`` and refuse what can never be an output folder, before any work."""
    if not str(out).strip():
        raise OutputFolderError(
            f"{_show(option, out)}: give the name of a folder to write, e.g. {_show(option, 'report')}."
        )
    target = Path(out).expanduser().resolve()
    said = _show(option, out)
    if target.parent == target:
        raise OutputFolderError(f"{said} is the root folder: give a folder of its own, e.g. {_show(option, 'report')}.")
    cwd = Path.cwd().resolve()
    if target == cwd or target in cwd.parents:
        raise OutputFolderError(
            f"{said} is the folder you are in (or holds it): each run replaces its output folder whole. "
            f"Give a folder of its own, e.g. {_show(option, 'report')}."
        )
    if target.exists() and not target.is_dir():
        raise OutputFolderError(f"{said} is a file, not a folder: give a folder path (it is created if missing).")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as err:
        raise OutputFolderError(
            f"{said}: cannot make the folder {target.parent}: a part of that path is a file."
        ) from err
    except OSError as err:
        raise OutputFolderError(f"{said}: cannot make the folder {target.parent} ({err.strerror}).") from err
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise OutputFolderError(
            f"{said}: cannot write in {target.parent} (no permission): the run writes a new folder there. "
            "Choose a folder you can write to."
        )
    if target.exists() and not os.access(target, os.W_OK | os.X_OK):
        raise OutputFolderError(f"{said}: cannot replace {target} (no write permission on it). Choose another folder.")
    return target


def _foreign(folder: Path, names: frozenset[str]) -> list[str]:
    """Entries of ``folder`` that a run would not have written (shown with ``/`` for folders)."""
    if not folder.is_dir():
        return []
    return sorted(p.name + ("/" if p.is_dir() else "") for p in folder.iterdir() if p.name not in names | _LITTER)


def _check_contents(target: Path, names: frozenset[str], said: str) -> None:
    foreign = _foreign(target, names)
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise OutputFolderError(
            f"{said} holds files a run does not write ({shown}): each run replaces the folder whole, so they would "
            "be lost. Choose a new or empty folder, or move them out."
        )


# --------------------------------------------------------------------------- #
# The lock                                                                    #
# --------------------------------------------------------------------------- #


def _holder_gone(text: str, lock: Path) -> bool:
    """Whether the run that wrote ``text`` into ``lock`` is over: its pid is gone (same host only)."""
    try:
        holder = json.loads(text)
        pid, host = int(holder["pid"]), str(holder["host"])
    except (ValueError, KeyError, TypeError):
        # created but not yet written by a live run, or left empty by a crash: old means the latter
        with contextlib.suppress(OSError):
            return time.time() - lock.stat().st_mtime > _UNREADABLE_STALE_AFTER
        return False
    if host != socket.gethostname() or os.name != "posix":
        return False  # another machine's pid (a shared drive), or no os.kill(pid, 0) probe: never guess
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    return False


def _take_over(lock: Path, stale: str) -> bool:
    """Move a stale lock aside; False if it changed meanwhile (another run took it over first)."""
    aside = lock.with_name(f"{lock.name}.stale-{secrets.token_hex(4)}")
    try:
        os.rename(lock, aside)
    except FileNotFoundError:
        return True  # already removed: try to create it again
    if aside.read_text(errors="replace") == stale:
        aside.unlink()
        return True
    with contextlib.suppress(OSError):  # a fresh lock we moved by mistake: put it back unless one is there
        os.link(aside, lock)
    aside.unlink()
    return False


def _lock_text(target: Path) -> str:
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "started": started, "folder": str(target)})


def _busy(lock: Path, text: str, said: str) -> OutputFolderError:
    try:
        holder = json.loads(text)
        who = f"pid {holder['pid']} on {holder['host']}, started {holder['started']}"
    except (ValueError, KeyError, TypeError):
        who = "just starting"
    return OutputFolderError(
        f"{said}: another run is writing this folder ({who}); its lock file is {lock}. Wait for that run to finish, "
        f"or write elsewhere. If no run is going (the machine restarted), delete {lock} and run again."
    )


def _acquire(target: Path, said: str, note: Note) -> Path:
    lock = lock_path(target)
    for _ in range(3):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                text = lock.read_text(errors="replace")
            except FileNotFoundError:
                continue  # released meanwhile
            if not _holder_gone(text, lock) or not _take_over(lock, text):
                raise _busy(lock, text, said) from None
            note(f"took over the lock {lock} of a run that is no longer running ({text.strip() or 'empty'}).")
            continue
        except OSError as err:
            raise OutputFolderError(f"{said}: cannot create the lock file {lock} ({err.strerror}).") from err
        with os.fdopen(fd, "w") as handle:
            handle.write(_lock_text(target))
        return lock
    raise _busy(lock, "", said)


# --------------------------------------------------------------------------- #
# Staging, swap, clean-up                                                     #
# --------------------------------------------------------------------------- #


def _siblings(target: Path, kind: str) -> list[Path]:
    prefix = f".{target.name}.{kind}-"
    return sorted(p for p in target.parent.iterdir() if p.name.startswith(prefix))


def _recover(target: Path, note: Note) -> None:
    """Under the lock: put back a folder left aside by a killed swap, and delete killed runs' staging folders."""
    for aside in _siblings(target, "old"):
        if not target.exists():
            os.rename(aside, target)
            note(f"put back {target} from {aside.name}: an earlier run was stopped in the middle of its swap.")
        else:
            shutil.rmtree(aside, ignore_errors=True)
    for staging in _siblings(target, "staging"):
        shutil.rmtree(staging, ignore_errors=True)
        note(f"deleted {staging.name}, left by an earlier run that was stopped.")


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back between the swap's two renames (delivered right after)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """Turn SIGTERM into :class:`Interrupted` while the folder is written (main thread, default handler only)."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        raise Interrupted(signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


@dataclass
class StagedFolder:
    """A folder being written: ``path`` (the staging folder) becomes ``target`` on :meth:`commit`.

    Set ``keep_failed`` to keep what a failed run wrote as ``TARGET.failed`` (then in
    ``failed``) instead of deleting it.
    """

    target: Path
    path: Path
    names: frozenset[str]
    keep_failed: bool = False
    failed: Path | None = None
    committed: bool = False
    note: Note = field(default=_stderr_note, repr=False)

    def commit(self) -> Path:
        """Swap the staging folder in as ``target`` (two renames) and delete the folder it replaces."""
        aside = self.target.with_name(f".{self.target.name}.old-{secrets.token_hex(4)}")
        with _signals_held():
            moved = self.target.exists()
            if moved:
                os.rename(self.target, aside)
            try:
                os.rename(self.path, self.target)
            except OSError:
                if moved:
                    os.rename(aside, self.target)
                raise
            self.committed = True
        if moved:
            shutil.rmtree(aside, ignore_errors=True)
        stale = self.target.with_name(f"{self.target.name}.failed")
        if stale.is_dir() and not _foreign(stale, self.names):  # an earlier failure's debris no longer applies
            shutil.rmtree(stale, ignore_errors=True)
        return self.target

    def _discard(self, *, keep: bool) -> None:
        if not self.path.exists():
            return
        if keep and any(self.path.iterdir()):
            failed = self.target.with_name(f"{self.target.name}.failed")
            if failed.is_dir() and not _foreign(failed, self.names):
                shutil.rmtree(failed)
            if failed.exists():
                failed = failed.with_name(f"{failed.name}-{secrets.token_hex(4)}")
            os.rename(self.path, failed)
            self.failed = failed
            return
        shutil.rmtree(self.path, ignore_errors=True)


@contextlib.contextmanager
def staged_folder(
    out: str | Path,
    *,
    names: Iterable[str] = REPORT_NAMES,
    option: str = "out",
    keep_failed: bool = False,
    note: Note = _stderr_note,
) -> Iterator[StagedFolder]:
    """Write an output folder whole: yield a staging folder; the folder becomes ``out`` only on ``commit()``.

    Parameters
    ----------
    out
        The output folder (created, with its parents, if missing).
    names
        What a run writes at the top of the folder. An existing ``out`` holding anything
        else is refused, since the swap would delete it.
    option
        How the caller's interface names ``out`` in messages: ``"--out"`` or ``"out"``.
    keep_failed
        Keep a failed run's files as ``OUT.failed`` (``StagedFolder.failed``); else delete them.
    note
        Where to say what was cleaned up (default: standard error).

    Raises
    ------
    OutputFolderError
        ``out`` is empty, a file, the current folder, not writable, holds foreign files,
        or another run is writing it (the lock file is named).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> parent = pathlib.Path(tempfile.mkdtemp())
    >>> with staged_folder(parent / "report") as folder:
    ...     _ = (folder.path / "ledger.json").write_text("{}")
    ...     _ = folder.commit()
    >>> sorted(p.name for p in parent.iterdir()), sorted(p.name for p in (parent / "report").iterdir())
    (['report'], ['ledger.json'])
    """
    allowed = frozenset(names)
    target = _target(out, option)
    said = _show(option, out)
    lock = _acquire(target, said, note)
    try:
        _check_contents(target, allowed, said)
        _recover(target, note)
        staging = target.with_name(f".{target.name}.staging-{secrets.token_hex(4)}")
        staging.mkdir()
        if target.is_dir():
            shutil.copymode(target, staging)
        folder = StagedFolder(target, staging, allowed, keep_failed=keep_failed, note=note)
        with _sigterm_raises():
            try:
                yield folder
            except Exception:
                folder._discard(keep=folder.keep_failed)
                raise
            except BaseException:  # Ctrl-C, SIGTERM: nothing is kept
                folder._discard(keep=False)
                raise
            if not folder.committed:
                folder._discard(keep=folder.keep_failed)
    finally:
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()
