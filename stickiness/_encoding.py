"""Text encodings of input files: check the option, transcode to UTF-8, find the first bad byte.

polars reads only UTF-8. A file in another encoding (``encoding="latin-1"``) is
transcoded in chunks into a temporary UTF-8 copy (bounded memory), which is then
scanned lazily like any file. A file read as UTF-8 that is not gets an error naming
its first invalid byte, found here only on that error path.
"""

from __future__ import annotations

import codecs
import gzip
from pathlib import Path
from typing import IO

from stickiness.exceptions import InputFileError, InvalidOptionError

__all__ = ["CHUNK", "check_encoding", "first_invalid_utf8", "is_native", "open_bytes", "transcode"]

#: Bytes (or characters) handled per step when transcoding or searching a file.
CHUNK = 1 << 20
_GZIP_MAGIC = b"\x1f\x8b"
#: Encodings polars reads itself (a UTF-8 byte-order mark is skipped by polars).
_NATIVE = frozenset({"utf-8", "utf-8-sig"})


def check_encoding(encoding: str) -> str:
    """Return the codec name of ``encoding``, or raise :class:`InvalidOptionError`.

    >>> check_encoding("Latin1")
    'iso8859-1'
    >>> check_encoding("utf8")
    'utf-8'
    """
    try:
        info = codecs.lookup(encoding)
    except (LookupError, TypeError) as err:
        raise InvalidOptionError(
            f"encoding={encoding!r} is not a known text encoding. Use e.g. encoding='utf-8' (the default), "
            "encoding='latin-1', encoding='cp1252' (Windows exports) or encoding='utf-16'."
        ) from err
    if not getattr(info, "_is_text_encoding", True):  # e.g. 'base64', 'rot13': bytes-to-bytes codecs
        raise InvalidOptionError(f"encoding={encoding!r} is not a text encoding. Use e.g. encoding='latin-1'.")
    return info.name


def is_native(encoding: str) -> bool:
    """Whether polars reads ``encoding`` (a codec name from :func:`check_encoding`) without transcoding."""
    return encoding in _NATIVE


def open_bytes(path: Path) -> IO[bytes]:
    """Open ``path`` for reading bytes, decompressing it when it is gzip (as polars does)."""
    handle = path.open("rb")
    if handle.read(2) == _GZIP_MAGIC:
        handle.close()
        return gzip.open(path, "rb")  # type: ignore[return-value]
    handle.seek(0)
    return handle


def transcode(source: Path, target: Path, *, encoding: str, role: str) -> None:
    """Write ``source``, text in ``encoding``, to ``target`` as UTF-8, a chunk at a time.

    Line endings are kept as they are (no newline translation), so rows stay rows.
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    done = 0
    with open_bytes(source) as raw, target.open("wb") as out:
        while chunk := raw.read(CHUNK):
            try:
                out.write(decoder.decode(chunk).encode("utf-8"))
            except UnicodeDecodeError as err:
                offset = done + err.start
                raise InputFileError(
                    f"the {role} file {str(source)!r} is not {encoding} text: byte {offset:,} "
                    f"(0x{chunk[err.start]:02X}) cannot be decoded. Pass its real encoding, e.g. "
                    "encoding='latin-1' (any byte is valid in it) or encoding='utf-8'."
                ) from None
            done += len(chunk)
        try:
            out.write(decoder.decode(b"", final=True).encode("utf-8"))
        except UnicodeDecodeError:
            raise InputFileError(
                f"the {role} file {str(source)!r} ends in the middle of a {encoding} character. "
                "Check that the file is whole, or pass its real encoding, e.g. encoding='latin-1'."
            ) from None


def first_invalid_utf8(path: Path) -> tuple[int, int, int] | None:
    """Return ``(byte offset, line number, byte)`` of the first byte of ``path`` that is not UTF-8, or None.

    Lines are counted from 1 (a line ends with a newline). The file is read a chunk
    at a time, so this is bounded in memory.

    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "log.csv"
    ...     _ = path.write_bytes("user,time|José,2024".replace("|", chr(10)).encode("latin-1"))
    ...     first_invalid_utf8(path)
    (13, 2, 233)
    """
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    done = lines = 0
    with open_bytes(path) as raw:
        while chunk := raw.read(CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as err:
                # the bad sequence may have begun in the previous chunk (held by the decoder): count from here
                start = max(err.start, 0)
                return done + start, lines + chunk.count(b"\n", 0, start) + 1, chunk[start]
            lines += chunk.count(b"\n")
            done += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return done, lines + 1, 0
    return None
