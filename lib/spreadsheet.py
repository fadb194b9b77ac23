"""Reading and writing the opportunity spreadsheets (CSV and .xlsx), with no ORM.

Everything the import/export needs to know about files lives here so that it can be tested
without a database: encodings and delimiters of CSV files, .xlsx cells, header matching (the
headers of each column are in columns.py), number and date parsing in the user's formats, and
the neutralisation of cells that a spreadsheet program would run as formulas.
"""
import csv
import datetime
import decimal
import io
import re
import unicodedata
import zipfile

import xlsxwriter

from .errors import SpreadsheetError
from .file_limits import DEFAULT_LIMITS, check_xlsx, too_many_cells, too_many_rows

MAX_FILE_SIZE = 20 * 1024 * 1024
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# After the quote of a neutralised cell: a formula's first character, or another quote.
QUOTED_PREFIXES = "".join(FORMULA_PREFIXES) + "'"
CSV_ENCODINGS = ("utf-8-sig", "cp1252")
# CSV text that a spreadsheet program would run: a function call (=HYPERLINK(...)), a cell or
# sheet reference (=B2*2, =Sheet1!A1). Text the export neutralised starts with a quote.
FORMULA_TEXT = re.compile(r"^=\s*(?:[A-Za-z_][\w.]*\s*\(|\$?[A-Za-z]{1,3}\$?\d+\b|"
                          r"(?:'[^']+'|[A-Za-z_][\w.]*)!\$?[A-Za-z]{1,3}\$?\d)")


class Formula(str):
    """A cell holding a formula rather than a value: CSV text that starts like one, or an
    .xlsx formula that no spreadsheet program calculated (no cached value). Its text is the
    formula; the import refuses it unless asked to take it as text."""


def neutralise(value):
    """Text of a CSV cell that a spreadsheet program would evaluate as a formula is prefixed
    with a quote; so is text that starts with a quote followed by one of those characters (or
    another quote), so that unquote() gives every text back exactly."""
    if isinstance(value, str) and (value.startswith(FORMULA_PREFIXES) or (
            value[:1] == "'" and value[1:2] and value[1] in QUOTED_PREFIXES)):
        return "'" + value
    return value


class QuotedText(str):
    """A CSV cell whose quote unquote() removed: text that looks like a formula but was
    written as text (by the export or by the user), never to be taken for a formula."""


def unquote(value):
    """The text neutralise() was given: the quote it added is removed, nothing else."""
    if isinstance(value, str) and value[:1] == "'" and value[1:2] and value[1] in QUOTED_PREFIXES:
        return QuotedText(value[1:])
    return value


def write_csv(headers, rows):
    """UTF-8 with a byte order mark (so that spreadsheet programs detect it), comma-separated."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def _csv_cell(value):
    if value is None or value is False:
        return ""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, float):
        # Every digit, never an exponent (1e+16) that the import would not read as a number.
        text = repr(value)
        return format(decimal.Decimal(text), "f") if "e" in text else text
    return neutralise(value)


def write_xlsx(headers, rows, sheet_name="Opportunities"):
    """Typed cells: numbers as numbers, dates as dates, text as text (never as formulas)."""
    return write_xlsx_sheets([(sheet_name, headers, rows)])


def write_xlsx_sheets(sheets):
    """A workbook of several sheets [(name, headers, rows)], cells typed as in write_xlsx."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {
        "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False})
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    datetime_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for sheet_name, headers, rows in sheets:
        sheet = workbook.add_worksheet(str(sheet_name)[:31])
        for col, header in enumerate(headers):
            sheet.write_string(0, col, str(header), bold)
        for row_index, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if value is None or value is False:
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(row_index, col, value)
                elif isinstance(value, (int, float)):
                    sheet.write_number(row_index, col, value)
                elif isinstance(value, datetime.datetime):
                    sheet.write_datetime(row_index, col, value, datetime_format)
                elif isinstance(value, datetime.date):
                    sheet.write_datetime(row_index, col, value, date_format)
                else:
                    # A string cell is never a formula: the text is written as it is.
                    sheet.write_string(row_index, col, str(value))
        sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


def read_table(filename, content, limits=DEFAULT_LIMITS):
    """Return (headers, rows) of a CSV or .xlsx file; rows are lists of cell values (str for
    CSV, with the quote that write_csv added to formula-like text removed; str, int, float,
    datetime for .xlsx) with entirely empty rows left out, each with its line number in the
    file: [(line, [values...]), ...]. Files over the limits (rows, cells, size of an .xlsx once
    decompressed: file_limits.Limits) are refused as soon as it shows."""
    if not content:
        raise SpreadsheetError("empty", "The file is empty.")
    if len(content) > MAX_FILE_SIZE:
        raise SpreadsheetError("too_large", "The file is larger than %(size)d MB.",
                               size=MAX_FILE_SIZE // 1024 // 1024)
    name = (filename or "").lower()
    if name.endswith(".xlsx") or content[:4] == b"PK\x03\x04":
        check_xlsx(content, limits)
        return _read_xlsx(content, limits)
    if name.endswith((".xls", ".ods")):
        raise SpreadsheetError("old_format", "Save the file as .xlsx or .csv first.")
    return _read_csv(content, limits)


def _read_csv(content, limits):
    if b"\x00" in content[:4096]:
        raise SpreadsheetError("binary", "This is not a CSV or .xlsx file.")
    text = None
    for encoding in CSV_ENCODINGS:
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise SpreadsheetError("encoding", "The file's text encoding is not recognised (use UTF-8).")
    sample = text[:65536]
    try:
        dialect = csv.Sniffer().sniff(sample.split("\n", 1)[0] or sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    headers = None
    cells = 0
    try:
        for line, row in enumerate(reader, start=1):
            cells += len(row)
            if line > limits.rows + 1:  # the header row is not counted
                raise too_many_rows(limits.rows)
            if cells > limits.cells:
                raise too_many_cells(limits.cells)
            if not any(cell.strip() for cell in row):
                continue
            if headers is None:
                headers = [unquote(cell).strip() for cell in row]
            else:
                # A formula is recognised on the cell as written: the export's quote makes
                # it text, which unquote() gives back as QuotedText.
                rows.append((line, [Formula(cell) if FORMULA_TEXT.match(cell) else unquote(cell)
                                    for cell in row]))
    except csv.Error as error:
        raise SpreadsheetError("malformed", "The CSV file is malformed: %(detail)s", detail=error)
    if headers is None:
        raise SpreadsheetError("no_header", "The file has no header row.")
    return headers, rows


def _read_xlsx(content, limits):
    # Read as written (formulas as their text): a second pass for the values that spreadsheet
    # programs cached, only when the sheet has formulas (exports have none).
    rows, formulas = _read_xlsx_pass(content, False, limits)
    if formulas:
        cached = dict(_read_xlsx_pass(content, True, limits)[0])
        for line, values in rows:
            for col in formulas.get(line, ()):
                value = cached.get(line, [])[col] if col < len(cached.get(line, [])) else None
                values[col] = Formula(values[col]) if value is None else value
    if not rows:
        raise SpreadsheetError("no_header", "The file has no header row.")
    return [str(value).strip() for value in rows[0][1]], rows[1:]


def _read_xlsx_pass(content, data_only, limits):
    """([(line, values)] of the non-empty rows of the first sheet, {line: [columns of the
    formula cells]}); refused as soon as the rows or cells pass the limits."""
    import openpyxl  # only needed to read .xlsx

    from . import xlsx_rows
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True,
                                          data_only=data_only)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise SpreadsheetError("bad_xlsx", "This .xlsx file cannot be read (%(detail)s).",
                               detail=error.__class__.__name__)
    rows, formulas, count = [], {}, 0
    try:
        sheet = workbook.worksheets[0]
        # The size a sheet declares may be wrong (openpyxl would stop at its last row, or pad
        # every row to its width): rows are read as they are.
        sheet.reset_dimensions()
        for line, cells in enumerate(xlsx_rows.iter_rows(sheet), start=1):
            # The rows and columns openpyxl fills in count too: check_xlsx() cannot see them.
            count += len(cells)
            if line > limits.rows + 1:  # the header row is not counted
                raise too_many_rows(limits.rows)
            if count > limits.cells:
                raise too_many_cells(limits.cells)
            values, types = zip(*cells) if cells else ((), ())
            values = list(values)
            if all(value is None or not str(value).strip() for value in values):
                continue
            if not data_only and None in values:
                values = ["" if value is None else value for value in values]
            if "f" in types:
                formulas[line] = [col for col, data_type in enumerate(types) if data_type == "f"]
            rows.append((line, values))
    finally:
        workbook.close()
    return rows, formulas


def column_letter(index):
    """0 -> A, 25 -> Z, 26 -> AA: cell references in error reports."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def normalise_header(text):
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", ascii_text.lower()).strip()


def match_headers(headers, aliases):
    """Map column indexes to keys: aliases is {key: [header texts in any language]}.
    Headers that match nothing are left out; a key is used once (first column wins)."""
    lookup = {}
    for key, texts in aliases.items():
        for text in texts:
            lookup.setdefault(normalise_header(text), key)
    mapping = {}
    used = set()
    for index, header in enumerate(headers):
        key = lookup.get(normalise_header(header))
        if key and key not in used:
            mapping[index] = key
            used.add(key)
    return mapping
