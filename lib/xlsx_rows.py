"""The rows of an .xlsx sheet as openpyxl's read-only worksheet gives them, faster.

openpyxl (pinned: 3.1.2) builds a dictionary, a parsed coordinate and a cell object per cell,
and a rich text object per inline string: reading a 10,000-row file took most of an import's
time. This module keeps openpyxl's workbook (shared strings, date styles, epoch) and its sheet
parser, and reads the common cells itself: numbers that are not dates, shared strings, texts,
booleans and plain inline strings, without formula. Any other cell (a formula, a date, an
error, rich text...) goes through openpyxl's own cell parser, so every value is the one
openpyxl gives (tests/test_spreadsheet.py compares them).
"""
from openpyxl.utils import column_index_from_string
from openpyxl.worksheet._reader import (FORMULA_TAG, INLINE_STRING, VALUE_TAG, WorkSheetParser,
                                        _cast_number)

TEXT_TAG = INLINE_STRING.replace("}is", "}t")
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
        elif value is not None:
            if data_type == "n":
                value = _cast_number(value)
            elif data_type == "s":
                value = self.shared_strings[int(value)]
            elif data_type == "b":
                value = bool(int(value))
            else:
                data_type = "s"
        return {"row": row, "column": column, "value": value, "data_type": data_type,
                "style_id": style_id}


def iter_rows(sheet):
    """The rows of an openpyxl read-only ``sheet`` whose dimensions were reset, as
    ``sheet.iter_rows()`` yields them (missing rows empty, each row as wide as its last cell),
    each cell as (value, data type)."""
    source = sheet._get_source()
    try:
        parser = _FastSheetParser(source, sheet._shared_strings,
                                  data_only=sheet.parent.data_only, epoch=sheet.parent.epoch,
                                  date_formats=sheet.parent._date_formats)
        counter = 1
        for index, cells in parser.parse():
            for _missing in range(counter, index):
                counter += 1
                yield []
            if counter <= index:
                counter += 1
                if not cells:
                    yield []
                    continue
                width = cells[-1]["column"]
                row = [EMPTY] * width
                for cell in cells:
                    if 1 <= cell["column"] <= width:
                        row[cell["column"] - 1] = (cell["value"], cell["data_type"])
                yield row
    finally:
        source.close()
