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
                rows.append((line, [unquote(cell) for cell in row]))
    except csv.Error as error:
        raise SpreadsheetError("malformed", "The CSV file is malformed: %(detail)s", detail=error)
    if headers is None:
        raise SpreadsheetError("no_header", "The file has no header row.")
    return headers, rows


def _read_xlsx(content, limits):
    import openpyxl  # only needed to read .xlsx
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise SpreadsheetError("bad_xlsx", "This .xlsx file cannot be read (%(detail)s).",
                               detail=error.__class__.__name__)
    try:
        sheet = workbook.worksheets[0]
        # The size a sheet declares may be wrong (openpyxl would stop at its last row, or pad
        # every row to its width): rows are read as they are.
        sheet.reset_dimensions()
        headers = None
        rows = []
        cells = 0
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            # The rows and columns openpyxl fills in count too: check_xlsx() cannot see them.
            cells += len(values)
            if line > limits.rows + 1:  # the header row is not counted
                raise too_many_rows(limits.rows)
            if cells > limits.cells:
                raise too_many_cells(limits.cells)
            values = ["" if value is None else value for value in values]
            if not any(str(value).strip() for value in values):
                continue
            if headers is None:
                headers = [str(value).strip() for value in values]
            else:
                rows.append((line, values))
    finally:
        workbook.close()
    if headers is None:
        raise SpreadsheetError("no_header", "The file has no header row.")
    return headers, rows


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


def parse_number(value, decimal_point=".", thousands_sep=","):
    """A number from a cell: numbers pass through; text is read with the user's separators
    (and the other usual ones when unambiguous). Empty -> None; otherwise ValueError."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip().replace("\u00a0", " ").replace("\u202f", " ")
    if not text:
        return None
    text = re.sub(r"[^\d,.\-+ ']", "", text)  # currency symbols, percent signs
    text = text.replace(" ", "").replace("'", "")
    if thousands_sep and thousands_sep not in (" ", "\u00a0", "\u202f"):
        if text.count(decimal_point) <= 1 and thousands_sep != decimal_point:
            text = text.replace(thousands_sep, "")
    if decimal_point != ".":
        text = text.replace(decimal_point, ".")
    if not re.match(r"^[+-]?(\d+(\.\d*)?|\.\d+)$", text):
        raise ValueError(value)
    return float(text)


def parse_date(value, date_format="%m/%d/%Y"):
    """A date from a cell: .xlsx dates pass through; text in ISO (YYYY-MM-DD) or the user's
    language format. Empty -> None; otherwise ValueError."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", date_format):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def parse_int(value):
    number = parse_number(value)
    if number is None:
        return None
    if number != int(number):
        raise ValueError(value)
    return int(number)
