"""The pure-Python file layer: no database involved."""
import datetime
import io
import unittest

import openpyxl

from ..lib import spreadsheet as sp


class TestWriting(unittest.TestCase):

    def test_neutralise_formula_like_text(self):
        for text in ("=1+1", "+33 6 12", "-2", "@SUM(A1)", "\tx"):
            self.assertEqual(sp.neutralise(text), "'" + text)
        for value in ("Plain", "", 5, -2.5, None):
            self.assertEqual(sp.neutralise(value), value)
        # A text starting with the quote the export adds is quoted too: unquote() is exact.
        self.assertEqual(sp.neutralise("'=x"), "''=x")
        self.assertEqual(sp.neutralise("'plain"), "'plain")
        for text in ("=1+1", "'=x", "''=x", "'", "'plain", "-20% discount deal", "@home", "x"):
            self.assertEqual(sp.unquote(sp.neutralise(text)), text)
        self.assertIsInstance(sp.unquote("'=1+1"), sp.QuotedText)

    def test_csv_has_bom_and_neutralised_cells(self):
        content = sp.write_csv(["ID", "Name", "Amount", "Due"],
                               [[7, "=HYPERLINK(\"x\")", 12.5, datetime.date(2026, 12, 1)],
                                [8, "Café; \"quoted\"", None, False]])
        self.assertTrue(content.startswith(b"\xef\xbb\xbf"))
        text = content.decode("utf-8-sig")
        self.assertIn("'=HYPERLINK", text)
        self.assertIn("2026-12-01", text)
        headers, rows = sp.read_table("x.csv", content)
        self.assertEqual(headers, ["ID", "Name", "Amount", "Due"])
        self.assertEqual(rows[1], (3, ["8", "Café; \"quoted\"", "", ""]))

    def test_xlsx_cells_are_typed(self):
        content = sp.write_xlsx(["ID", "Name", "Amount", "Due", "Won"],
                                [[7, "=1+1", 1234.5, datetime.date(2026, 12, 1), True]])
        sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
        row = [cell.value for cell in sheet[2]]
        self.assertEqual(row[0], 7)
        self.assertEqual(row[1], "=1+1")
        self.assertEqual(row[2], 1234.5)
        self.assertEqual(row[3], datetime.datetime(2026, 12, 1))
        self.assertIs(row[4], True)
        self.assertEqual(sheet["B2"].data_type, "s")


class TestReading(unittest.TestCase):

    def test_semicolon_cp1252_csv(self):
        content = "ID;Étape;Montant\r\n12;Négociation;1 234,50\r\n".encode("cp1252")
        headers, rows = sp.read_table("export.csv", content)
        self.assertEqual(headers, ["ID", "Étape", "Montant"])
        self.assertEqual(rows, [(2, ["12", "Négociation", "1 234,50"])])

    def test_utf8_bom_csv_and_empty_rows(self):
        content = "\ufeffID,Name\n\n1,Été\n,\n2,B\n".encode("utf-8")
        headers, rows = sp.read_table("a.csv", content)
        self.assertEqual(headers, ["ID", "Name"])
        self.assertEqual(rows, [(3, ["1", "Été"]), (5, ["2", "B"])])

    def test_xlsx_with_formulas_and_empty_rows(self):
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(["ID", "Amount"])
        sheet.append([1, 100])
        sheet.append([None, None])
        sheet.append([2, "=B2*2"])
        buffer = io.BytesIO()
        workbook.save(buffer)
        headers, rows = sp.read_table("a.xlsx", buffer.getvalue())
        self.assertEqual(headers, ["ID", "Amount"])
        self.assertEqual([line for line, _values in rows], [2, 4])
        # openpyxl-written formulas have no cached value: marked as formulas, never as values.
        self.assertIsInstance(rows[1][1][1], sp.Formula)
        self.assertEqual(rows[1][1][1], "=B2*2")
        self.assertNotIsInstance(rows[0][1][1], sp.Formula)

    def test_unreadable_files_give_clear_errors(self):
        with self.assertRaisesRegex(sp.SpreadsheetError, "empty"):
            sp.read_table("a.csv", b"")
        with self.assertRaisesRegex(sp.SpreadsheetError, "larger than"):
            sp.read_table("big.csv", b"\x00garbage" * (sp.MAX_FILE_SIZE // 8 + 1))
        with self.assertRaisesRegex(sp.SpreadsheetError, "not a CSV"):
            sp.read_table("a.csv", b"\x00\x01\x02binary")
        with self.assertRaisesRegex(sp.SpreadsheetError, "cannot be read"):
            sp.read_table("a.xlsx", b"PK\x03\x04 not really a zip")
        with self.assertRaisesRegex(sp.SpreadsheetError, "no header"):
            sp.read_table("a.csv", b"\n\n")


class TestParsing(unittest.TestCase):

    def test_headers_in_english_and_french(self):
        aliases = {"id": ["Opportunity ID", "ID de l'opportunité"], "stage": ["Stage", "Étape"],
                   "milestone": ["Milestone", "Jalon"]}
        mapping = sp.match_headers(["ID DE L'OPPORTUNITE", "etape", "Whatever", "Jalon"], aliases)
        self.assertEqual(mapping, {0: "id", 1: "stage", 3: "milestone"})

    def test_column_letters(self):
        self.assertEqual([sp.column_letter(i) for i in (0, 25, 26, 701, 702)],
                         ["A", "Z", "AA", "ZZ", "AAA"])


class TestFastXlsxRows(unittest.TestCase):
    """lib/xlsx_rows.py reads the same cells as openpyxl's read-only worksheet: files written
    by openpyxl (inline strings) and by XlsxWriter (shared strings, as the export), with every
    kind of cell, gaps, formulas, and sheets whose rows and cells carry no coordinates."""

    @staticmethod
    def openpyxl_file():
        from openpyxl.cell.rich_text import CellRichText, TextBlock
        from openpyxl.cell.text import InlineFont
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(["ID", "Name", " spaced ", "", "Été ∑ 東京", 'q"uo\\te'])
        sheet.append([1, 2.5, -3, 1e-7, 1.5e20, 12345678901234])
        sheet.append([True, False, None, "=A2*2", "=SUM(A2:B2)", "#N/A"])
        sheet.append([datetime.date(2026, 12, 24), datetime.datetime(2026, 1, 2, 3, 4, 5),
                      datetime.time(10, 30), "01/13/2026", "0012", "1E5"])
        sheet["C8"] = "after a gap"
        sheet["F8"] = 7
        sheet["B9"] = CellRichText(["plain ", TextBlock(InlineFont(b=True), "bold")])
        sheet["A10"] = "line\nbreak"
        sheet["B10"] = 'a & b <c> "d"'
        sheet["C10"] = "carriage\r\nreturn"
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    @staticmethod
    def xlsxwriter_file():
        import xlsxwriter
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = workbook.add_worksheet()
        dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
        bold = workbook.add_format({"bold": True})
        sheet.write_row(0, 0, ["ID", "Name", "Name", " x ", "=not a formula"])
        sheet.write_number(1, 0, 42)
        sheet.write_number(1, 1, 0.1)
        sheet.write_datetime(1, 2, datetime.datetime(2026, 3, 1), dates)
        sheet.write_boolean(1, 3, True)
        sheet.write_formula(1, 4, "=A2+1", None, 43)
        sheet.write_formula(2, 0, "=A2&\"x\"", None, "42x")
        sheet.write_blank(2, 1, None, bold)
        sheet.write_rich_string(2, 2, "a ", bold, "rich", " text")
        sheet.write_string(5, 3, "far")
        workbook.close()
        return buffer.getvalue()

    @staticmethod
    def without_coordinates(content):
        """The same file, its rows and cells without their r attributes (allowed by the
        format: positions then follow the order)."""
        import re
        import zipfile
        source = zipfile.ZipFile(io.BytesIO(content))
        output = io.BytesIO()
        target = zipfile.ZipFile(output, "w")
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb' r="[A-Z]*[0-9]+"', b"", data)
            target.writestr(item, data)
        target.close()
        return output.getvalue()

    @staticmethod
    def with_comment(content):
        """The same file, a comment at the start of its rows (read by the XML parser)."""
        import zipfile
        source = zipfile.ZipFile(io.BytesIO(content))
        output = io.BytesIO()
        target = zipfile.ZipFile(output, "w")
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = data.replace(b"<sheetData>", b"<sheetData><!-- a note -->", 1)
            target.writestr(item, data)
        target.close()
        return output.getvalue()

    def compare(self, content):
        from ..lib import xlsx_rows
        for data_only in (False, True):
            expected, got = [], []
            for reader, rows in ((None, expected), (xlsx_rows, got)):
                workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True,
                                                  data_only=data_only)
                sheet = workbook.worksheets[0]
                sheet.reset_dimensions()
                if reader:
                    rows.extend(list(row) for row in reader.iter_rows(sheet))
                else:
                    rows.extend([(cell.value, cell.data_type) for cell in row]
                                for row in sheet.iter_rows())
                workbook.close()
            self.assertEqual(got, expected, data_only)
            self.assertTrue(any(any(value is not None for value, _type in row)
                                for row in got))

    def test_same_cells_as_openpyxl(self):
        for content in (self.openpyxl_file(), self.xlsxwriter_file()):
            self.compare(content)
            self.compare(self.without_coordinates(content))
            self.compare(self.with_comment(content))

    def test_malformed_sheet_is_not_read_in_quadratic_time(self):
        """A sheet of 100,000 unclosed rows (or cells) is left to the XML parser after one
        pass: matched from every "<row" again, it took minutes (8,000 rows: 1.3 s, growing
        with the square). The alarm only stops a hang; it is no speed target."""
        import signal
        from ..lib import xlsx_rows

        class Parser:  # what _usual_rows() reads of openpyxl's WorkSheetParser
            row_counter = col_counter = 0
            _columns, shared_strings, date_formats = {}, ["x"], set()

        head = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="%s"><sheetData>'
                % xlsx_rows.SHEET_MAIN_NS)
        tail = "</sheetData></worksheet>"

        def hang(*_args):
            raise AssertionError("a malformed sheet kept the regular expressions busy")

        previous = signal.signal(signal.SIGALRM, hang)
        signal.alarm(60)
        try:
            for body in ("<row>" * 100000, "<row>" + '<c r="A1">' * 100000 + "</row>"):
                with self.assertRaises(xlsx_rows._Unusual):
                    xlsx_rows._usual_rows((head + body + tail).encode(), Parser())
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)

    def test_usual_sheets_read_without_the_xml_parser(self):
        """Sheets written by openpyxl and XlsxWriter are read by lib/xlsx_rows.py's regular
        expressions (the import's speed), their unusual cells (formulas, dates, rich text)
        by openpyxl's cell parser; a sheet with a comment by openpyxl's sheet parser."""
        from unittest import mock
        from ..lib import xlsx_rows
        for content, usual in ((self.openpyxl_file(), True), (self.xlsxwriter_file(), True),
                               (self.with_comment(self.openpyxl_file()), False)):
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()
            with mock.patch.object(xlsx_rows._FastSheetParser, "parse",
                                   side_effect=xlsx_rows._Unusual) as parse:
                try:
                    rows = list(xlsx_rows.iter_rows(sheet))
                except xlsx_rows._Unusual:
                    rows = None
            workbook.close()
            self.assertEqual(parse.called, not usual)
            self.assertEqual(rows is not None, usual)
