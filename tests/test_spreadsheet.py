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
