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


def test_a_quote_that_never_closes_fails_the_file_with_its_row_and_line(tmp_path):
    text = "Email,Name\n" + "".join(f"p{i}@x.com,P {i}\n" for i in range(210))
    text += 'late@x.com,"Broken\n' + "".join(f"q{i}@x.com,Q {i}\n" for i in range(5000))
    source = RowSource(write(tmp_path, "a.csv", text))
    with pytest.raises(ImportFileError) as caught:
        list(source)
    assert str(caught.value) == (
        "a.csv: row 212 opens a quote that never closes (line 212 of the file); nothing was "
        "imported. Close or remove that quote and upload the file again."
    )


def test_the_line_of_an_unclosed_quote_counts_earlier_quoted_newlines(tmp_path):
    text = 'Email,Note\na@x.com,"two\nlines"\nb@x.com,"open\nc@x.com,x'
    with pytest.raises(ImportFileError, match=r"row 3 opens a quote .* \(line 4 of the file\)"):
        list(RowSource(write(tmp_path, "a.csv", text)))


def test_quotes_that_close_on_the_last_line_are_read_whole(tmp_path):
    for ending in ("", "\n", "\r\n"):
        text = f'Email,Note\na@x.com,"two\nlines"{ending}'
        assert list(RowSource(write(tmp_path, "a.csv", text))) == [(2, ["a@x.com", "two\nlines"])]


def test_a_file_with_too_many_columns_is_refused_with_the_count(tmp_path, settings):
    header = ",".join(f"c{i}" for i in range(10_000))
    with pytest.raises(ImportFileError, match="has 10,000 columns; an import reads at most 500"):
        RowSource(write(tmp_path, "wide.csv", header + "\n" + "1," * 9999 + "1\n"))
    settings.THRIVE_IMPORT_MAX_COLUMNS = 20_000
    assert len(RowSource(write(tmp_path, "wide.csv", header + "\n")).headers) == 10_000


def test_rows_beyond_the_limit_fail_the_file(tmp_path, settings):
    settings.THRIVE_IMPORT_MAX_ROWS = 5
    path = write(tmp_path, "a.csv", "Email\n" + "".join(f"p{i}@x.com\n" for i in range(5)))
    with pytest.raises(ImportFileError, match="more than 5 rows.*THRIVE_IMPORT_MAX_ROWS"):
        list(RowSource(path))
    settings.THRIVE_IMPORT_MAX_ROWS = 6
    assert len(list(RowSource(path))) == 5


def test_an_excel_sheet_declaring_more_rows_than_the_limit_is_refused_on_opening(
    tmp_path, settings
):
    for unsized in (False, True):  # a sheet need not declare its size: counted as read
        book = Workbook(write_only=unsized)
        sheet = book.create_sheet() if unsized else book.active
        sheet.append(["Email"])
        for i in range(30):
            sheet.append([f"p{i}@x.com"])
        book.save(tmp_path / "a.xlsx")
        settings.THRIVE_IMPORT_MAX_XLSX_ROWS = 20
        with pytest.raises(ImportFileError, match="more than 20 rows.*MAX_XLSX_ROWS"):
            list(RowSource(tmp_path / "a.xlsx"))
        if not unsized:
            with pytest.raises(ImportFileError, match="more than 20 rows"):
                RowSource(tmp_path / "a.xlsx")


def test_an_excel_file_that_inflates_far_beyond_its_size_is_refused_unopened(tmp_path):
    import zipfile

    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"<row/>" * 20_000_000)
    assert path.stat().st_size < 1_000_000
    with pytest.raises(ImportFileError, match=r"unpacks to [\d,]+ times its size"):
        RowSource(path)


def test_an_excel_file_larger_unpacked_than_allowed_is_refused(tmp_path, settings):
    settings.THRIVE_IMPORT_MAX_XLSX_BYTES = 1000
    book = Workbook()
    book.active.append(["Email"])
    for i in range(200):
        book.active.append([f"p{i}@x.com"])
    book.save(tmp_path / "a.xlsx")
    with pytest.raises(ImportFileError, match="unpacks to .* MB, more than"):
        RowSource(tmp_path / "a.xlsx")


@pytest.mark.parametrize(
    ("encoding", "bom", "expected"),
    [
        ("utf-16-le", b"\xff\xfe", "utf-16"),
        ("utf-16-be", b"\xfe\xff", "utf-16"),
        ("utf-16-le", b"", "utf-16-le"),
        ("utf-16-be", b"", "utf-16-be"),
    ],
)
def test_utf16_files_are_read_with_and_without_a_byte_order_mark(tmp_path, encoding, bom, expected):
    text = "Email,Name\nzoe@x.com,Zoë Ünal\nli@x.com,李\n"
    path = write(tmp_path, "a.csv", bom + text.encode(encoding))
    source, found = rows(path)
    assert source.encoding == expected
    assert source.headers == ["Email", "Name"]
    assert found == [(2, ["zoe@x.com", "Zoë Ünal"]), (3, ["li@x.com", "李"])]


def test_shift_jis_files_are_recognised(tmp_path):
    text = "メール,名前,会社\n" + "".join(
        f"user{i}@example.jp,山田太郎{i},株式会社サンプル\n" for i in range(20)
    )
    source, found = rows(write(tmp_path, "a.csv", text, encoding="shift_jis"))
    assert source.encoding in {"shift_jis", "cp932"}
    assert source.headers == ["メール", "名前", "会社"]
    assert found[0] == (2, ["user0@example.jp", "山田太郎0", "株式会社サンプル"])


def test_an_encoding_that_does_not_fit_the_file_is_a_clear_error(tmp_path):
    path = write(tmp_path, "a.csv", "Email,Name\n" + "a@x.com,Zoë\n" * 3, encoding="utf-8")
    source = RowSource(path, encoding="utf-16-le")
    assert "Email" not in source.headers  # read, but as nonsense: the owner sees it
    path = write(tmp_path, "b.csv", b"Email,Name\na@x.com,Zo\xe9\n")
    with pytest.raises(ImportFileError, match="b.csv: line 2 of the file cannot be read as UTF-8"):
        RowSource(path, encoding="utf-8-sig")
    # Past the first 64 KiB the row is named.
    text = b"Email,Name\n" + b"a@x.com,Zoe\n" * 10_000 + b"b@x.com,Zo\xe9\n"
    source = RowSource(write(tmp_path, "c.csv", text), encoding="utf-8-sig")
    with pytest.raises(ImportFileError, match="c.csv: line 10002 of the file cannot be read"):
        list(source)
