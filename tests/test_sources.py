"""Input files that cannot be read are one clear error naming the file, the line and the fix (issue 14, item 5).

Each case is read twice: with ``read_log`` (an :class:`InputFileError` naming the file, the line and the
``keyword=`` to pass) and with the command (exit 2, one ``error:`` message on stderr, no traceback, short).
Blank lines are not rows (item 6).
"""

from __future__ import annotations

import gc
import gzip
import json
import os
import tempfile
from pathlib import Path

import polars as pl
import pytest
from stickiness_notebooks.cli import main

from stickiness import InputFileError, InvalidOptionError, UnsupportedSourceError, read_log
from stickiness.catalog import read_catalog

from .conftest import NOW

HEADER = "user_id,timestamp,event\n"


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def run(args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run ``stickiness report ARGS`` in-process; return the exit code and stderr."""
    capsys.readouterr()
    code = main(["report", *args, "--no-notebook", "--no-charts", "--out", str(tmp_path / "out")])
    return code, capsys.readouterr().err


def assert_one_clear_error(code: int, err: str, *needles: str) -> None:
    """Exit 2, one ``error:`` line holding every needle, no traceback, nothing echoed at length."""
    assert code == 2, err
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, err
    for needle in needles:
        assert needle in errors[0], (needle, errors[0])
    assert len(err) < 1500, len(err)


def rows_read(tmp_path: Path) -> int:
    return int(json.loads((tmp_path / "out" / "ledger.json").read_text())["rows_read"])


# --- encodings ----------------------------------------------------------------------------------------------------

LATIN = (HEADER + "José,2024-05-01T10:00:00Z,open\nZoë,2024-05-02T10:00:00Z,open\n").encode("latin-1")


def test_latin1_log_is_an_error_naming_the_line_and_encoding(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = write(tmp_path / "latin.csv", LATIN)
    # 'José' starts line 2 at byte 24 (the header is 24 bytes): the é (0xE9) is byte 24 + 3 = 27
    with pytest.raises(InputFileError, match=r"latin\.csv' is not UTF-8 text: byte 0xE9 on line 2 \(byte offset 27\)"):
        read_log(path, now=NOW)
    with pytest.raises(InputFileError, match="encoding='latin-1'"):
        read_log(path, now=NOW)
    code, err = run([str(path)], tmp_path, capsys)
    assert_one_clear_error(code, err, "latin.csv", "line 2", "latin-1")


def test_latin1_log_reads_with_its_encoding(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = write(tmp_path / "latin.csv", LATIN)
    log = read_log(path, encoding="latin-1", now=NOW)
    assert sorted(log.activity["user"].to_list()) == ["José", "Zoë"]
    assert log.ledger.rows_read == 2
    assert (
        main(
            [
                "report",
                str(path),
                "--encoding",
                "latin-1",
                "--no-notebook",
                "--no-charts",
                "--out",
                str(tmp_path / "out"),
            ]
        )
        == 0
    )
    assert rows_read(tmp_path) == 2


def test_transcoded_copy_is_deleted_after_reading(tmp_path: Path) -> None:
    path = write(tmp_path / "latin.csv", LATIN)
    before = set(Path(tempfile.gettempdir()).glob("stickiness-utf8-*"))
    read_log(path, encoding="cp1252", now=NOW)
    gc.collect()
    assert set(Path(tempfile.gettempdir()).glob("stickiness-utf8-*")) == before


def test_latin1_users_table(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    log = write(tmp_path / "log.csv", HEADER + "a,2024-05-01T10:00:00Z,open\n")
    users = write(tmp_path / "users.csv", "user_id,persona\na,Zoë's team\n".encode("latin-1"))
    with pytest.raises(InputFileError, match=r"users table file .*users\.csv' is not UTF-8 text: .* on line 2"):
        read_log(log, users=users, now=NOW)
    read = read_log(log, users=users, encoding="latin-1", now=NOW)
    assert read.users is not None and read.users["persona"].to_list() == ["Zoë's team"]
    code, err = run([str(log), "--users", str(users)], tmp_path, capsys)
    assert_one_clear_error(code, err, "users.csv", "line 2", "latin-1")


def test_wrong_or_unknown_encoding(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = write(tmp_path / "log.csv", HEADER + "a,2024-05-01T10:00:00Z,open\n")
    with pytest.raises(InvalidOptionError, match="encoding='klingon' is not a known text encoding"):
        read_log(path, encoding="klingon")
    code, err = run([str(path), "--encoding", "klingon"], tmp_path, capsys)
    assert_one_clear_error(code, err, "klingon")
    # 0x81 is undefined in cp1252: byte 24 + 1 of line 2 ('a' then 0x81)
    bad = write(tmp_path / "cp.csv", HEADER.encode() + b"a\x81,2024-05-01T10:00:00Z,open\n")
    with pytest.raises(InputFileError, match=r"cp\.csv' is not cp1252 text: byte 25 \(0x81\)"):
        read_log(bad, encoding="cp1252")


def test_utf16_needs_its_encoding(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = write(tmp_path / "u16.csv", (HEADER + "a,2024-05-01T10:00:00Z,open\n").encode("utf-16"))
    with pytest.raises(InputFileError, match="encoding='utf-16'"):
        read_log(path, now=NOW)
    assert read_log(path, encoding="utf-16", now=NOW).ledger.rows_used == 1
    code, err = run([str(path)], tmp_path, capsys)
    assert_one_clear_error(code, err, "u16.csv", "utf-16")


def test_folder_of_latin1_files_reads_with_its_encoding(tmp_path: Path) -> None:
    write(tmp_path / "logs" / "a.csv", LATIN)
    write(tmp_path / "logs" / "b.csv", (HEADER + "Ana,2024-05-03T10:00:00Z,open\n").encode("latin-1"))
    with pytest.raises(InputFileError, match=r"a\.csv' is not UTF-8 text"):
        read_log(tmp_path / "logs", now=NOW)
    assert read_log(tmp_path / "logs", encoding="latin-1", now=NOW).ledger.rows_read == 3  # 2 + 1


# --- malformed CSV rows -------------------------------------------------------------------------------------------


def test_row_with_too_many_fields(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = write(tmp_path / "ragged.csv", HEADER + "a,2024-05-01,open\nb,2024-05-01,open,extra\n")
    with pytest.raises(InputFileError, match=r"ragged\.csv' has 4 fields on line 3 where the header has 3"):
        read_log(path, now=NOW)
    code, err = run([str(path)], tmp_path, capsys)
    assert_one_clear_error(code, err, "ragged.csv", "line 3", "double quotes")


def test_unbalanced_quote_in_a_big_file_is_short(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    body = "b,2024-05-01T10:00:00Z,open\n" * 100_000  # 2.8 MB after the open quote: polars would echo all of it
    path = write(tmp_path / "quote.csv", HEADER + "a,2024-05-01T10:00:00Z,open\n" + 'c,"2024-05-01,open\n' + body)
    with pytest.raises(InputFileError, match=r"quote\.csv' has a quote that is never closed on line 3") as raised:
        read_log(path, now=NOW)
    assert len(str(raised.value)) < 500
    code, err = run([str(path)], tmp_path, capsys)
    assert_one_clear_error(code, err, "quote.csv", "line 3")


@pytest.mark.parametrize(
    ("row", "what"),
    [('a,2024-05-01,op"en\n', "an unbalanced quote"), ('a,"2024-05-01"x,open\n', "text after a closing quote")],
)
def test_quote_out_of_place(row: str, what: str, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = write(tmp_path / "q.csv", HEADER + "b,2024-05-01,open\n" + row + "c,2024-05-02,open\n")
    with pytest.raises(InputFileError, match=rf"q\.csv' has {what} on line 3"):
        read_log(path, now=NOW)
    code, err = run([str(path)], tmp_path, capsys)
    assert_one_clear_error(code, err, "q.csv", "line 3")


def test_quoted_separators_quotes_and_line_breaks_are_fine(tmp_path: Path) -> None:
    path = write(tmp_path / "ok.csv", HEADER + '"a,b",2024-05-01,"say ""hi"""\n"c\nd",2024-05-01,open\n')
    log = read_log(path, now=NOW)
    assert sorted(log.activity["user"].to_list()) == ["a,b", "c\nd"]
    assert log.ledger.rows_read == 2


# --- JSON ---------------------------------------------------------------------------------------------------------

OBJECTS = [
    {"user_id": "a", "timestamp": "2024-05-01T10:00:00Z", "event": "open"},
    {"user_id": "b", "timestamp": "2024-05-02T10:00:00Z", "event": "open"},
]


def test_broken_ndjson_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = write(tmp_path / "log.ndjson", json.dumps(OBJECTS[0]) + '\n{"user_id": "b", broken\n')
    with pytest.raises(InputFileError, match=r"log\.ndjson' has a broken line 2"):
        read_log(path, now=NOW)
    code, err = run([str(path)], tmp_path, capsys)
    assert_one_clear_error(code, err, "log.ndjson", "line 2", "one JSON object per line")


def test_json_array_file_is_read(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = write(tmp_path / "log.json", json.dumps(OBJECTS, indent=2))
    log = read_log(path, now=NOW)
    assert sorted(log.activity["user"].to_list()) == ["a", "b"] and log.ledger.rows_read == 2
    assert main(["report", str(path), "--no-notebook", "--no-charts", "--out", str(tmp_path / "out")]) == 0
    ndjson = write(tmp_path / "lines.json", "\n".join(json.dumps(o) for o in OBJECTS))
    assert read_log(ndjson, now=NOW).ledger.rows_read == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"just text"', "neither NDJSON .* nor a JSON array of objects"),
        ("[1, 2]", "not a JSON array of objects: item 1 is a JSON int"),
        ("[]", "an empty JSON array"),
        ('[{"user_id": "a"},', "not a JSON array of objects"),
    ],
)
def test_json_that_is_neither_ndjson_nor_an_array_of_objects(
    text: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    path = write(tmp_path / "log.json", text)
    with pytest.raises(InputFileError, match=rf"log\.json' (is )?{message}"):
        read_log(path, now=NOW)
    code, err = run([str(path)], tmp_path, capsys)
    assert_one_clear_error(code, err, "log.json")


# --- folders ------------------------------------------------------------------------------------------------------


def test_parquet_folder_with_different_columns(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    pl.DataFrame({"user_id": ["a"], "timestamp": ["2024-05-01"], "event": ["x"]}).write_parquet(tmp_path / "a.parquet")
    pl.DataFrame({"user_id": ["b"], "ts": ["2024-05-01"], "event": ["x"]}).write_parquet(tmp_path / "b.parquet")
    with pytest.raises(
        InputFileError,
        match=r"a\.parquet' and .*b\.parquet' have different columns \(only in the first: \['timestamp'\]",
    ):
        read_log(tmp_path, now=NOW)
    code, err = run([str(tmp_path)], tmp_path, capsys)
    assert_one_clear_error(code, err, "a.parquet", "b.parquet", "'ts'", "same columns")


def test_parquet_folder_with_different_types(tmp_path: Path) -> None:
    pl.DataFrame({"user_id": ["a"], "timestamp": ["2024-05-01"], "event": ["x"]}).write_parquet(tmp_path / "a.parquet")
    pl.DataFrame({"user_id": [1], "timestamp": ["2024-05-01"], "event": ["x"]}).write_parquet(tmp_path / "b.parquet")
    with pytest.raises(InputFileError, match="different types: user_id String vs Int64"):
        read_log(tmp_path, now=NOW)


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ("user_id,ts,event\nb,2024-05-01,x\n", r"only in the first: \['timestamp'\]; only in the second: \['ts'\]"),
        ("event,user_id,timestamp\nx,b,2024-05-01\n", "the same columns in another order"),
        ("user_id,timestamp,event,extra\nb,2024-05-01,x,1\n", r"only in the second: \['extra'\]"),
    ],
)
def test_csv_folder_with_different_headers(
    second: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    write(tmp_path / "logs" / "a.csv", HEADER + "a,2024-05-01,x\n")
    write(tmp_path / "logs" / "b.csv", second)
    with pytest.raises(InputFileError, match=rf"a\.csv' and .*b\.csv' have different columns \({message}"):
        read_log(tmp_path / "logs", now=NOW)
    code, err = run([str(tmp_path / "logs")], tmp_path, capsys)
    assert_one_clear_error(code, err, "a.csv", "b.csv")


def test_spark_style_folder_skips_hidden_files(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    write(folder / "part-0.csv", HEADER + "a,2024-05-01,x\n")
    write(folder / "part-1.txt", HEADER + "b,2024-05-01,x\n")
    write(folder / "_SUCCESS", "")
    write(folder / ".part-0.csv.crc", b"\x00\x01")
    log = read_log(folder, now=NOW)
    assert sorted(log.activity["user"].to_list()) == ["a", "b"]


def test_empty_and_mixed_folders(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputFileError, match="holds no data files"):
        read_log(tmp_path / "empty")
    code, err = run([str(tmp_path / "empty")], tmp_path, capsys)
    assert_one_clear_error(code, err, "empty", "no data files")
    write(tmp_path / "mixed" / "a.csv", HEADER)
    pl.DataFrame({"a": [1]}).write_parquet(tmp_path / "mixed" / "b.parquet")
    with pytest.raises(UnsupportedSourceError, match=r"does not hold only Parquet or only CSV files \(found \['.csv'"):
        read_log(tmp_path / "mixed")
    code, err = run([str(tmp_path / "mixed")], tmp_path, capsys)
    assert_one_clear_error(code, err, "mixed", "one format")


# --- other files --------------------------------------------------------------------------------------------------


def test_empty_file_and_header_only(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    empty = write(tmp_path / "empty.csv", "")
    code, err = run([str(empty)], tmp_path, capsys)
    assert_one_clear_error(code, err, "empty.csv", "0 bytes")
    header = write(tmp_path / "header.csv", HEADER)
    log = read_log(header, now=NOW)
    assert log.is_empty and log.ledger.rows_read == 0
    code, err = run([str(header)], tmp_path, capsys)
    assert code == 1 and "no usable rows" in err and "Traceback" not in err  # exit 1: no usable row


def test_gzip_csv_is_read(tmp_path: Path) -> None:
    path = tmp_path / "log.csv.gz"
    with gzip.open(path, "wt") as file:
        file.write(HEADER + "a,2024-05-01,x\n\nb,2024-05-02,x\n")  # the blank line is not a row
    assert read_log(path, now=NOW).ledger.rows_read == 2


def test_glob_that_matches_nothing(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(FileNotFoundError, match="no file matches the log pattern"):
        read_log(tmp_path / "*.csv")
    code, err = run([str(tmp_path / "*.csv")], tmp_path, capsys)
    assert_one_clear_error(code, err, "*.csv")


def test_truncated_parquet_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    pl.DataFrame({"user_id": ["a"], "timestamp": ["2024-05-01"], "event": ["x"]}).write_parquet(tmp_path / "a.parquet")
    data = (tmp_path / "a.parquet").read_bytes()
    cut = write(tmp_path / "cut.parquet", data[: len(data) // 2])
    with pytest.raises(InputFileError, match=r"cut\.parquet' is not a whole Parquet file"):
        read_log(cut, now=NOW)
    code, err = run([str(cut)], tmp_path, capsys)
    assert_one_clear_error(code, err, "cut.parquet", "PAR1")


def test_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "secret.csv", HEADER + "a,2024-05-01,x\n")
    if os.geteuid() != 0:  # root reads any file: there, the permission check is simulated below
        path.chmod(0)
    else:
        real = os.access
        monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == path else real(p, mode))
    with pytest.raises(InputFileError, match=r"secret\.csv' cannot be read: permission denied"):
        read_log(path)
    code, err = run([str(path)], tmp_path, capsys)
    assert_one_clear_error(code, err, "secret.csv", "permission denied")


# --- catalogs -----------------------------------------------------------------------------------------------------


def test_broken_yaml_catalog(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("yaml")
    log = write(tmp_path / "log.csv", HEADER + "a,2024-05-01,x\n")
    catalog = write(tmp_path / "use_cases.yaml", "use_cases:\n  browse:\n    events: [search, listing\n  x: 1\n")
    with pytest.raises(InputFileError, match=r"use_cases\.yaml' is not valid YAML on line 4, column 4"):
        read_catalog(catalog)
    code, err = run([str(log), "--use-cases", str(catalog)], tmp_path, capsys)
    assert_one_clear_error(code, err, "use_cases.yaml", "line 4")


@pytest.mark.parametrize(
    "tagged",
    [
        "use_cases: !!python/object/apply:os.system ['touch {marker}']\n",
        "use_cases:\n  browse:\n    events: !!python/object/apply:os.system ['touch {marker}']\n",
        "use_cases: !!python/name:os.system\n",
    ],
)
def test_yaml_python_tags_stay_inert(tagged: str, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("yaml")
    marker = tmp_path / "ran"
    catalog = write(tmp_path / "evil.yaml", tagged.format(marker=marker))
    with pytest.raises(InputFileError, match=r"evil\.yaml' uses the YAML tag '!!python/.*tags are not allowed"):
        read_catalog(catalog)
    log = write(tmp_path / "log.csv", HEADER + "a,2024-05-01,x\n")
    code, err = run([str(log), "--use-cases", str(catalog)], tmp_path, capsys)
    assert_one_clear_error(code, err, "evil.yaml", "not allowed")
    assert not marker.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("event,use_case\ncafé,browse\n".encode("latin-1"), "is not UTF-8 text: .* line 2.*Save it as UTF-8"),
        (b"event,use_case\nsearch,browse,extra\n", "has 3 fields on line 2 where the header has 2"),
        (b'event,use_case\n"search,browse\n', "has a quote that is never closed on line 2"),
    ],
)
def test_csv_catalog_read_errors(data: bytes, message: str, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    catalog = write(tmp_path / "use_cases.csv", data)
    with pytest.raises(InputFileError, match=rf"catalog file .*use_cases\.csv' {message}"):
        read_catalog(catalog)
    log = write(tmp_path / "log.csv", HEADER + "a,2024-05-01,x\n")
    code, err = run([str(log), "--use-cases", str(catalog)], tmp_path, capsys)
    assert_one_clear_error(code, err, "use_cases.csv", "line 2")


def test_csv_catalog_blank_lines_are_not_rules(tmp_path: Path) -> None:
    catalog = write(tmp_path / "use_cases.csv", "event,use_case\r\nsearch,browse\r\n\r\nlisting,browse\r\n\r\n")
    assert read_catalog(catalog).rules.rows() == [("search", "browse"), ("listing", "browse")]


# --- blank lines --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # 2 rows; blank lines between, after, and several at the end are not rows
        ("a,2024-05-01,x\n\nb,2024-05-02,x\n\n\n", 2),
        ("a,2024-05-01,x\r\n\r\nb,2024-05-02,x\r\n\r\n", 2),
        ("\na,2024-05-01,x\n", 1),
        # a line of only separators is a row (of empty fields): 'a' and ',,' and ',' -> 3 rows
        ("a,2024-05-01,x\n,,\n\n,\n", 3),
        # a quoted field may hold a blank line and a line of commas: one row, not three
        ('"a\n\n,,\nb",2024-05-01,x\n\n', 1),
    ],
)
def test_blank_lines_are_not_rows(body: str, expected: int, tmp_path: Path) -> None:
    path = write(tmp_path / "log.csv", HEADER.replace("\n", "\r\n" if "\r\n" in body else "\n") + body)
    log = read_log(path, now=NOW)
    assert log.ledger.rows_read == expected
    assert log.ledger.balanced


def test_blank_lines_with_the_command(tmp_path: Path) -> None:
    path = write(tmp_path / "log.csv", HEADER + "a,2024-05-01,x\n\n,,\nb,2024-05-02,x\n\n")
    assert main(["report", str(path), "--no-notebook", "--no-charts", "--out", str(tmp_path / "out")]) == 0
    ledger = json.loads((tmp_path / "out" / "ledger.json").read_text())
    assert ledger["rows_read"] == 3  # a, ',,' and b; the two blank lines are not rows
    assert ledger["rows_used"] == 2 and ledger["set_aside"]["null_user"] == 1


def test_glob_of_json_files_of_both_kinds(tmp_path: Path) -> None:
    write(tmp_path / "a.json", json.dumps(OBJECTS))  # an array: 2 rows
    write(tmp_path / "b.json", json.dumps(OBJECTS[0]) + "\n")  # NDJSON: 1 row
    assert read_log(tmp_path / "*.json", now=NOW).ledger.rows_read == 3


def test_old_mac_line_endings(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = write(tmp_path / "mac.csv", HEADER.replace("\n", "\r") + "a,2024-05-01,x\rb,2024-05-02,x\r")
    with pytest.raises(InputFileError, match=r"mac\.csv' ends its lines with a carriage return alone"):
        read_log(path, now=NOW)
    code, err = run([str(path)], tmp_path, capsys)
    assert_one_clear_error(code, err, "mac.csv", "line endings")


def test_empty_part_files_of_a_folder_are_skipped(tmp_path: Path) -> None:
    write(tmp_path / "out" / "part-0.csv", HEADER + "a,2024-05-01,x\n")
    write(tmp_path / "out" / "part-1.csv", "")  # an empty partition
    assert read_log(tmp_path / "out", now=NOW).ledger.rows_read == 1
    write(tmp_path / "none" / "part-0.csv", "")
    write(tmp_path / "none" / "part-1.csv", "")
    with pytest.raises(InputFileError, match=r"part-0\.csv' is empty \(0 bytes\)"):
        read_log(tmp_path / "none")


def test_problem_beyond_the_lines_looked_at_is_still_one_short_error(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    import stickiness._read_errors as read_errors

    monkeypatch.setattr(read_errors, "DIAGNOSE_LINES", 2)  # the malformed row is on line 4: not looked at
    rows = "a,2024-05-01,x\nb,2024-05-01,x\n" + 'c,"2024,x\n' + "d,e,f\n" * 50_000
    path = write(tmp_path / "late.csv", HEADER + rows)
    with pytest.raises(InputFileError, match=r"late\.csv' cannot be read: .*No problem shows in its first 2 lines"):
        read_log(path, now=NOW)
    code, err = run([str(path)], tmp_path, capsys)
    assert_one_clear_error(code, err, "late.csv")


def test_one_pretty_printed_json_object(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = write(tmp_path / "one.json", json.dumps(OBJECTS[0], indent=2))
    with pytest.raises(InputFileError, match=r"one\.json' holds one JSON object over several lines"):
        read_log(path, now=NOW)
    code, err = run([str(path)], tmp_path, capsys)
    assert_one_clear_error(code, err, "one.json", "array of objects")
