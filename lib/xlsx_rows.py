"""The rows of an .xlsx sheet as openpyxl's read-only worksheet gives them, faster.

openpyxl (pinned: 3.1.2) builds a dictionary, a parsed coordinate and a cell object per cell,
and a rich text object per inline string: reading a 10,000-row file took most of an import's
time. This module keeps openpyxl's workbook (shared strings, date styles, epoch) and its sheet
parser, and reads the common cells itself: numbers that are not dates, shared strings, texts,
booleans and plain inline strings, without formula. Any other cell (a formula, a date, an
error, rich text...) goes through openpyxl's own cell parser, so every value is the one
openpyxl gives (tests/test_spreadsheet.py compares them).
"""
import io
import re
from operator import itemgetter
from xml.etree.ElementTree import ParseError, fromstring

from openpyxl.utils import column_index_from_string
from openpyxl.worksheet._reader import (FORMULA_TAG, INLINE_STRING, VALUE_TAG, WorkSheetParser,
                                        _cast_number)
from openpyxl.xml.constants import SHEET_MAIN_NS

TEXT_TAG = INLINE_STRING.replace("}is", "}t")
# A parsed cell's (column, value, data type).
_column, _value, _data_type = itemgetter(0), itemgetter(1), itemgetter(2)
# A cell openpyxl's read-only worksheet pads a row with.
EMPTY = (None, "n")


class _FastSheetParser(WorkSheetParser):

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._columns = {}

    def parse_cell(self, element):
        """openpyxl's parse_cell() for the common cells (see the module), openpyxl's own for
        the others."""
        data_type = element.get("t", "n")
        if data_type not in ("n", "s", "str", "b", "inlineStr"):
            return super().parse_cell(element)
        style_id = element.get("s", 0)
        if style_id:
            style_id = int(style_id)
            if data_type == "n" and style_id in self.date_formats:
                return super().parse_cell(element)
        value = None
        found = inline = False
        for child in element:
            tag = child.tag
            if tag == VALUE_TAG:
                if not found:
                    value, found = child.text or None, True
            elif tag == INLINE_STRING:
                if inline is not False:
                    return super().parse_cell(element)
                inline = child
            elif tag == FORMULA_TAG:
                if not self.data_only:
                    return super().parse_cell(element)
        text = None
        if inline is not False:
            texts = list(inline)
            if len(texts) != 1 or texts[0].tag != TEXT_TAG or len(texts[0]):
                return super().parse_cell(element)
            text = texts[0].text or ""
        # Nothing falls back to openpyxl's parser below: the counters may move.
        coordinate = element.get("r")
        if coordinate:
            letters = coordinate.rstrip("0123456789")
            digits = coordinate[len(letters):]
            column = self._columns.get(letters)
            if column is None:
                if not (digits and letters.isascii() and letters.isalpha()
                        and letters.isupper() and len(letters) <= 3):
                    return super().parse_cell(element)
                column = self._columns[letters] = column_index_from_string(letters)
            row = int(digits)
            self.col_counter = column
        else:
            self.col_counter += 1
            row, column = self.row_counter, self.col_counter
        if data_type == "inlineStr":
            value = None
            if text is not None:
                data_type, value = "s", text
        else:
            data_type, value = _typed(self.shared_strings, data_type, value)
        return {"row": row, "column": column, "value": value, "data_type": data_type,
                "style_id": style_id}


def _typed(shared_strings, data_type, value):
    """(data type, value) of a cell's text as openpyxl gives them: a number, a shared string, a
    boolean, any other type a string. _quick_cells() does the same inline (per cell of the
    usual rows: the call would cost)."""
    if value is None:
        return data_type, value
    if data_type == "n":
        return data_type, _cast_number(value)
    if data_type == "s":
        return data_type, shared_strings[int(value)]
    if data_type == "b":
        return data_type, bool(int(value))
    return "s", value


def iter_rows(sheet):
    """The rows of an openpyxl read-only ``sheet`` whose dimensions were reset, as
    ``sheet.iter_rows()`` yields them (missing rows empty, each row as wide as its last cell),
    each cell as (value, data type)."""
    source = sheet._get_source()
    try:
        data = source.read()
    finally:
        source.close()

    def new_parser():
        return _FastSheetParser(io.BytesIO(data), sheet._shared_strings,
                                data_only=sheet.parent.data_only, epoch=sheet.parent.epoch,
                                date_formats=sheet.parent._date_formats)

    try:
        parsed = _usual_rows(data, new_parser())
    except _Unusual:
        parsed = ((index, [(cell["column"], cell["value"], cell["data_type"])
                           for cell in cells]) for index, cells in new_parser().parse())
    counter = 1
    in_place = {}  # {width: [1, 2, ... width]}: the columns of a row of all its cells, in order
    for index, cells in parsed:
        for _missing in range(counter, index):
            counter += 1
            yield []
        if counter <= index:
            counter += 1
            if not cells:
                yield []
                continue
            width = cells[-1][0]
            if width == len(cells):
                columns = in_place.get(width)
                if columns is None:
                    columns = in_place[width] = list(range(1, width + 1))
                if list(map(_column, cells)) == columns:
                    # Each cell in its place (most rows): as the loop below places them.
                    yield list(zip(map(_value, cells), map(_data_type, cells)))
                    continue
            row = [EMPTY] * width
            for column, value, data_type in cells:
                if 1 <= column <= width:
                    row[column - 1] = (value, data_type)
            yield row


# ---------------------------------------------------------------------------- the usual sheet
# Sheets as spreadsheet programs and libraries write them: the main namespace as the default
# one, UTF-8, rows of cells holding a value or an inline string. Read with regular
# expressions (each cell of the XML parser's was an element, an event and a dictionary: most of
# the time of reading a file); any cell of another kind (a formula, a date, rich text...) is
# given to the parser above as the element it is; anything else in the sheet (a document type,
# comments, another encoding, prefixed tags) and the whole sheet is read by that parser.
_ATTRS = r"""(?:\s+[^\s=<>/"']+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*"""
_PROLOG = re.compile(r"\A\ufeff?\s*(?:<\?xml(?P<decl>[^?>]*)\?>)?\s*<worksheet(?P<attrs>%s)\s*>"
                     % _ATTRS)
_DATA = re.compile(r"<sheetData%s\s*(?P<empty>/)?>" % _ATTRS)
_DATA_END = re.compile(r"</sheetData\s*>")
_ROW = re.compile(r"\s*(?:<row(?P<attrs>%s)\s*(?:/>|>(?P<cells>.*?)</row\s*>))" % _ATTRS, re.S)
_CELL = re.compile(r"\s*<c(?P<attrs>%s)\s*(?:/>|>(?P<body>.*?)</c\s*>)" % _ATTRS, re.S)
_ATTR = re.compile(r"""\s+([^\s=<>/"']+)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')""")
_VALUE = re.compile(r"\s*<v\s*>([^<]*)</v\s*>\s*|\s*<v\s*/>\s*|\s*")
_INLINE = re.compile(r"""\s*<is\s*>\s*<t(?:\s+xml:space\s*=\s*(?:"preserve"|'preserve'))?\s*"""
                     r"""(?:/>|>([^<]*)</t\s*>)\s*</is\s*>\s*""")
_ENTITY = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_QUICK = (r'<c r="([A-Z]{1,3})[0-9]+"(?: s="([0-9]+)")?(?: t="(n|s|str|b|inlineStr)")?'
          r'(?:/>|>(?:<v>([^<&\r]*)</v>|(<is>)<t(?: xml:space="preserve")?>([^<&\r]*)</t></is>)?'
          r'</c>)')
_QUICK_CELL = re.compile(_QUICK)
_QUICK_CELLS = re.compile("(?:%s)*" % _QUICK)
# A row of such cells as they write it: its number first, other attributes plain (no
# entity, no white space to normalise), matched with its cells in one pass; any other row by
# _ROW.
_QUICK_ROW = re.compile(r'\s*<row r="([0-9]+)"(?: (?!r=)[A-Za-z:]+="[^"<&\t\n\r]*")*>'
                        r"((?:%s)*)</row>" % _QUICK)
_ENCODING = re.compile(r"""encoding\s*=\s*["']([^"']*)["']""")
_ROW_START = re.compile(r"<row[\s/>]")
_COORDINATE = re.compile(r"([A-Z]{1,3})([0-9]+)\Z")


class _Unusual(Exception):
    """A sheet the regular expressions do not read: the XML parser reads it."""


def _text(raw):
    """An element's text or an attribute's value as the XML parser gives it."""
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in raw:
        text = _ENTITY.sub(lambda m: _NAMED[m.group(1)] if m.group(1) else chr(
            int(m.group(2)) if m.group(2) else int(m.group(3), 16)), raw)
        if "&" in _ENTITY.sub("", raw):
            raise _Unusual()
        return text
    return raw


def _attributes(raw):
    attributes = {}
    for match in _ATTR.finditer(raw):
        name, double, single = match.groups()
        value = double if double is not None else single
        if "\t" in value or "\n" in value or "\r" in value:
            raise _Unusual()  # attribute value normalisation: left to the parser
        attributes[name] = _text(value)
    return attributes


def _usual_rows(data, parser):
    """[(row index, [(column, value, data type)])] of the cells WorkSheetParser.parse() gives,
    or _Unusual."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _Unusual()
    prolog = _PROLOG.match(text)
    encoding = prolog and _ENCODING.search(prolog.group("decl") or "")
    if not prolog or (encoding and encoding.group(1).lower() not in ("utf-8", "utf8")):
        raise _Unusual()
    if _attributes(prolog.group("attrs")).get("xmlns") != SHEET_MAIN_NS or "<!" in text:
        raise _Unusual()
    sheet_data = _DATA.search(text, prolog.end())
    if not sheet_data or text.count("<sheetData") != 1:
        raise _Unusual()
    rows_text = ""
    if not sheet_data.group("empty"):
        end = text.find("</sheetData", sheet_data.end())
        if end < 0 or not _DATA_END.match(text, end):
            raise _Unusual()
        rows_text = text[sheet_data.end():end]
    if len(_ROW_START.findall(text)) != len(_ROW_START.findall(rows_text)):
        raise _Unusual()
    # Matched one after the other from where the last one ended (finditer() would try again
    # from every later "<row" when one does not match: quadratic on a malformed sheet).
    result, position = [], 0
    while True:
        quick = _QUICK_ROW.match(rows_text, position)
        if quick:
            position = quick.end()
            parser.row_counter = int(quick.group(1))
            cells_text = quick.group(2)
        else:
            row = _ROW.match(rows_text, position)
            if not row or row.end() == position:
                break
            position = row.end()
            attributes = _attributes(row.group("attrs")) if row.group("attrs") else {}
            parser.row_counter = _row_index(attributes.get("r"), parser.row_counter)
            cells_text = row.group("cells") or ""
        parser.col_counter = 0
        cells = _quick_cells(parser, cells_text, checked=bool(quick))
        if cells is not None:
            result.append((parser.row_counter, cells))
            continue
        cells, cell_position = [], 0
        while True:
            cell = _CELL.match(cells_text, cell_position)
            if not cell or cell.end() == cell_position:
                break
            cell_position = cell.end()
            cell = _cell(parser, cell.group("attrs"), cell.group("body") or "")
            cells.append((cell["column"], cell["value"], cell["data_type"]))
        if cells_text[cell_position:].strip():
            raise _Unusual()
        result.append((parser.row_counter, cells))
    if rows_text[position:].strip():
        raise _Unusual()
    return result


def _quick_cells(parser, text, checked=False):
    """The (column, value, data type) of the cells of a row written as most files write them
    (each with its coordinate; a number, shared string, boolean or inline string without
    entity or carriage return; no date style), or None. The types as _typed() gives them,
    written inline (per cell). ``checked``: the text is known to hold such cells only."""
    if not checked and not _QUICK_CELLS.fullmatch(text):
        return None
    cells, columns, shared = [], parser._columns, parser.shared_strings
    column = 0
    for letters, style, data_type, value, inline, text_value in _QUICK_CELL.findall(text):
        column = columns.get(letters)
        if column is None:
            column = columns[letters] = column_index_from_string(letters)
        style_id = int(style) if style else 0
        if inline:
            data_type, value = "s", text_value
        elif data_type == "inlineStr":
            value = None
        elif not value:
            value, data_type = None, data_type or "n"
        elif data_type in ("", "n"):
            if style_id and style_id in parser.date_formats:
                return None
            data_type, value = "n", _cast_number(value)
        elif data_type == "s":
            value = shared[int(value)]
        elif data_type == "b":
            value = bool(int(value))
        else:
            data_type = "s"
        cells.append((column, value, data_type))
    parser.col_counter = column
    return cells


def _row_index(text, counter):
    """WorkSheetParser.parse_row()'s row counter."""
    if text is None:
        return counter + 1
    try:
        return int(text)
    except ValueError:
        number = float(text)
        if not number.is_integer():
            raise ValueError("%s is not a valid row number" % text)
        return int(number)


def _cell(parser, raw_attributes, body):
    """_FastSheetParser.parse_cell() of the cell written ``<c raw_attributes>body</c>``."""
    attributes = _attributes(raw_attributes) if raw_attributes else {}
    data_type = attributes.get("t", "n")
    style_id = attributes.get("s", 0)
    if style_id:
        style_id = int(style_id)
    value = inline = None
    if data_type in ("n", "s", "str", "b") and not (data_type == "n" and style_id
                                                   and style_id in parser.date_formats):
        match = _VALUE.fullmatch(body)
        if match:
            value = _text(match.group(1)) or None if match.group(1) else None
        else:
            data_type = None
    elif data_type == "inlineStr":
        match = _INLINE.fullmatch(body)
        if match:
            inline = _text(match.group(1) or "")
        else:
            data_type = None
    else:
        data_type = None
    if data_type is None:  # the parser's, from the cell's element
        try:
            element = fromstring('<c xmlns="%s"%s>%s</c>' % (SHEET_MAIN_NS, raw_attributes,
                                                             body))
        except ParseError:  # e.g. a prefix the sheet declares
            raise _Unusual()
        return parser.parse_cell(element)
    coordinate = attributes.get("r")
    if coordinate:
        match = _COORDINATE.match(coordinate)
        if not match:
            raise _Unusual()
        letters = match.group(1)
        column = parser._columns.get(letters)
        if column is None:
            column = parser._columns[letters] = column_index_from_string(letters)
        parser.col_counter, row = column, int(match.group(2))
    else:
        parser.col_counter += 1
        row, column = parser.row_counter, parser.col_counter
    if data_type == "inlineStr":
        data_type, value = "s", inline
    else:
        data_type, value = _typed(parser.shared_strings, data_type, value)
    return {"row": row, "column": column, "value": value, "data_type": data_type,
            "style_id": style_id}
