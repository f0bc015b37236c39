"""Proof for issue 14: the command on generated messy CSV files exits 0, 1 or 2, never with a traceback.

Files mix encodings (with and without the right ``--encoding``), quoting (embedded quotes, separators and line
breaks), null sentinels, padding, blank lines, lines of only separators, good and bad times, short and long rows,
a lone quote inside a field, a quote never closed, a byte-order mark, LF and CRLF endings. When the command exits
0, the ledger's rows_read equals a count made independently with Python's csv module (non-blank records, header
excluded) and the ledger balances.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from stickiness_notebooks.cli import main

USERS = ["u1", "u2", " u3 ", "007", "NULL", "NA", "\\N", "null", "", "José", "Zoë", "€uro", 'O"Brien', "a,b", "x\ny"]
EVENTS = ["open", "search", "", "NULL", "N/A", 'say "hi"', "a,b", "line\nbreak", " padded "]
GOOD_Z = ["2024-05-01T10:00:00Z", "2024-05-02T23:59:59Z", "2024-06-30T00:00:00+02:00"]
GOOD_NAIVE = ["2024-05-01", "2024-05-02 10:00:00", "2024-06-30T08:00"]
BAD_TIMES = ["yesterday", "2024-02-30", "25:61:99", "", "NULL", " 2024-05-01 "]
#: (file encoding, --encoding given or None)
ENCODINGS = [
    ("utf-8", None),
    ("utf-8", "utf-8"),
    ("utf-8-sig", None),
    ("utf-8", "latin-1"),  # the wrong encoding: mojibake, but rows stay rows
    ("latin-1", None),
    ("latin-1", "latin-1"),
    ("cp1252", None),
    ("cp1252", "cp1252"),
    ("utf-16", "utf-16"),
    ("utf-16", None),
]


@dataclass
class Messy:
    data: bytes
    encoding: str  # the file's
    option: str | None  # --encoding
    malformed: bool  # a long row or a stray quote: exit 2 is expected


@st.composite
def messy_csv(draw: Any) -> Messy:
    encoding, option = draw(st.sampled_from(ENCODINGS))
    times = st.sampled_from((GOOD_Z + GOOD_NAIVE) * 2 + BAD_TIMES)  # mostly good, so that exit 0 is common
    users = st.sampled_from(USERS)
    if encoding == "latin-1":  # '€' is not in latin-1
        users = users.filter(lambda u: "€" not in u)
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    out = io.StringIO()
    writer = csv.writer(out, quoting=quoting, lineterminator=eol)
    out.write(eol * draw(st.integers(0, 2)))  # blank lines before the header
    writer.writerow(["user_id", "timestamp", "event"])
    kinds = draw(st.lists(st.sampled_from(["row"] * 8 + ["blank", "seps", "spaces", "short"]), max_size=12))
    # one file in four gets one malformed line somewhere: a long row, a lone quote inside a field
    # (polars would read on to the next quote), or a quote that is never closed
    bad = draw(st.sampled_from([None, None, None, "long", "lone_quote", "open_quote"]))
    if bad:
        kinds.insert(draw(st.integers(0, len(kinds))), bad)
    for kind in kinds:
        row = [draw(users), draw(times), draw(st.sampled_from(EVENTS))]
        if kind == "blank":
            out.write(eol)
        elif kind == "seps":
            out.write("," * draw(st.integers(1, 2)) + eol)
        elif kind == "spaces":
            out.write("   " + eol)
        elif kind == "short":
            writer.writerow(row[:2])
        elif kind == "long":
            writer.writerow([*row, "extra"])
        elif kind == "lone_quote":
            out.write('u8,2024-05-01,op"en' + eol)
        elif kind == "open_quote":
            out.write('u9,"2024-05-01,open' + eol)
        else:
            writer.writerow(row)
    out.write(eol * draw(st.integers(0, 2)))  # blank lines at the end
    return Messy(out.getvalue().encode(encoding), encoding, option, malformed=bad is not None)


def csv_count(messy: Messy) -> int:
    """Records that are not blank, the header excluded, as Python's csv module reads the file."""
    text = messy.data.decode("utf-8-sig" if messy.encoding.startswith("utf-8") else messy.encoding)
    records = [r for r in csv.reader(io.StringIO(text, newline="")) if r]
    return len(records) - 1


def test_csv_count_by_hand() -> None:
    # header, blank, a row, a row of separators, a quoted field over two lines, blank: 3 records after the header
    data = b'\nuser_id,timestamp,event\n\na,2024-05-01,x\n,,\n"b\n\nc",2024-05-01,x\n\n'
    assert csv_count(Messy(data, "utf-8", None, False)) == 3


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(messy=messy_csv())
def test_messy_csv_never_crashes_and_counts_every_row(
    messy: Messy, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path_factory.mktemp("messy")
    path = folder / "log.csv"
    path.write_bytes(messy.data)
    out = folder / "out"
    # with and without an offset in one column is another error (MixedTimeZoneError): read them all
    args = ["report", str(path), "--mixed-offsets", "assume_tz", "--no-notebook", "--no-charts", "--out", str(out)]
    if messy.option:
        args += ["--encoding", messy.option]
    capsys.readouterr()
    code = main(args)  # an uncaught exception fails the test: that is the point
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert code in (0, 1, 2), err
    event(f"exit {code}")  # pytest --hypothesis-show-statistics: how often each exit is reached
    non_ascii = any(b > 127 for b in messy.data)
    unreadable = messy.option is None and (
        messy.encoding == "utf-16" or (messy.encoding in ("latin-1", "cp1252") and non_ascii)
    )
    if code == 2:
        assert len([line for line in err.splitlines() if line.startswith("error:")]) == 1, err
        assert len(err) < 2000
        assert messy.malformed or unreadable, err  # a well-formed file in a known encoding is read
        return
    assert not unreadable, "a file that is not UTF-8 was read without --encoding"
    assert not messy.malformed, "a malformed file was read without an error"
    # no usable rows (exit 1) leaves --out as it was and keeps the ledger in OUT.failed/ (docs/outputs.md)
    ledger_path = out / "ledger.json" if code == 0 else folder / "out.failed" / "ledger.json"
    ledger = json.loads(ledger_path.read_text())
    assert ledger["rows_read"] == csv_count(messy)
    assert ledger["rows_read"] == ledger["rows_used"] + sum(ledger["set_aside"].values())
    if code == 1:
        assert ledger["rows_used"] == 0
