"""Reading files: encodings, delimiters, quoted newlines, Excel, and what cannot be read."""

from __future__ import annotations

import datetime as dt
import tracemalloc

import pytest
from openpyxl import Workbook

from thrive.imports.reading import ImportFileError, RowSource

from .helpers import write


def rows(path, **kwargs):
    source = RowSource(path, **kwargs)
    return source, list(source)


def test_utf8_with_a_byte_order_mark_loses_the_mark(tmp_path):
    path = write(tmp_path, "a.csv", "\ufeffEmail,Name\nzoe@x.com,Zoë\n")
    source, found = rows(path)
    assert source.encoding == "utf-8-sig"
    assert source.headers == ["Email", "Name"]
    assert found == [(2, ["zoe@x.com", "Zoë"])]


def test_windows_1252_file_is_read_with_its_accents_and_euro_sign(tmp_path):
    path = write(
        tmp_path, "a.csv", "Email;Name;Note\nzoe@x.com;Zoë Müller;5 €\n", encoding="cp1252"
    )
    source, found = rows(path)
    assert source.encoding == "cp1252"
    assert source.delimiter == ";"
    assert found[0][1] == ["zoe@x.com", "Zoë Müller", "5 €"]


def test_bytes_undefined_in_windows_1252_fall_back_to_latin_1(tmp_path):
    path = write(tmp_path, "a.csv", b"Email,Name\nz@x.com,A\x81B\n")
    source, found = rows(path)
    assert source.encoding == "latin-1"
    assert found[0][1][1] == "A\x81B"


@pytest.mark.parametrize(("delimiter", "name"), [("\t", "tab"), ("|", "pipe"), (";", "semicolon")])
def test_delimiters_are_sniffed(tmp_path, delimiter, name):
    text = (
        delimiter.join(["Email", "First", "Last"])
        + "\n"
        + delimiter.join(["a@x.com", "A", "B"])
        + "\n"
    )
    source, found = rows(write(tmp_path, f"{name}.csv", text))
    assert source.delimiter == delimiter
    assert found == [(2, ["a@x.com", "A", "B"])]


def test_a_quoted_newline_stays_in_its_cell_and_row_numbers_count_records(tmp_path):
    text = 'Email,Note\na@x.com,"line one\nline two, with comma"\n\nb@x.com,plain\n'
    _, found = rows(write(tmp_path, "q.csv", text))
    assert found[0] == (2, ["a@x.com", "line one\nline two, with comma"])
    # The blank line is row 3 as a spreadsheet counts it; it is skipped, not renumbered.
    assert found[1] == (4, ["b@x.com", "plain"])


def test_excel_cells_become_text_like_a_csv_export(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Email", "Joined", "Spent", "Orders"])
    joined = dt.datetime(2024, 3, 5, 10, 30)  # noqa: DTZ001 - Excel cells have no time zone
    sheet.append(["a@x.com", joined, 12.5, 3])
    sheet.append([None, None, None, None])
    sheet.append(["b@x.com", dt.date(2024, 1, 2), 7.0, None])
    path = tmp_path / "people.xlsx"
    book.save(path)
    source, found = rows(path)
    assert source.headers == ["Email", "Joined", "Spent", "Orders"]
    assert found == [
        (2, ["a@x.com", "2024-03-05 10:30:00", "12.5", "3"]),
        (4, ["b@x.com", "2024-01-02 00:00:00", "7", ""]),
    ]
    assert source.position() == 1.0


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "is empty"), (b"\n\n", "is empty"), (b",,,\n", "no column names")],
)
def test_files_that_cannot_be_read_say_why(tmp_path, content, message):
    with pytest.raises(ImportFileError, match=message):
        RowSource(write(tmp_path, "bad.csv", content))


def test_a_damaged_excel_file_is_a_clear_error(tmp_path):
    with pytest.raises(ImportFileError, match="not a readable Excel file"):
        RowSource(write(tmp_path, "bad.xlsx", b"PK\x03\x04 not really a zip"))


def test_reading_a_large_file_keeps_memory_flat(tmp_path):
    path = tmp_path / "big.csv"
    line = "someone{:07d}@example.com,Firstname,Lastname,Some Company Ltd,+14155550123,a note\n"
    with path.open("w") as out:
        out.write("Email,First,Last,Company,Phone,Note\n")
        for i in range(300_000):  # about 25 MB
            out.write(line.format(i))
    tracemalloc.start()
    try:
        count = sum(1 for _ in RowSource(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 300_000
    assert path.stat().st_size > 20_000_000
    # Constant buffers (1 MiB encoding check, 64 KiB sniff), a sixth of the file or less.
    assert peak < 4_000_000, f"reading peaked at {peak:,} bytes"
