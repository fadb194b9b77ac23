"""Numbers, dates, identifiers, milestones and formulas as people type them: no database."""
import csv
import datetime
import io
import unittest

import openpyxl
import xlsxwriter

from ..lib import parsing as pa
from ..lib import spreadsheet as sp


def code_of(column, value):
    try:
        column.parse(value)
    except pa.CellError as error:
        return error.code
    return None


class TestNumbers(unittest.TestCase):

    def test_column_with_decimal_points_refuses_a_decimal_comma(self):
        column = pa.NumberColumn(["1,234.50", "99.9", "12 500,50", "3 000"], ",")
        self.assertEqual(column.decimal, ".", "the column says so, not the user's language")
        self.assertEqual(column.parse("1,234.50"), 1234.5)
        self.assertEqual(column.parse("3 000"), 3000.0)
        self.assertEqual(code_of(column, "12 500,50"), "decimal_comma",
                         "never 1250050 nor 12500.5 in a column of decimal points")

    def test_column_with_decimal_commas(self):
        column = pa.NumberColumn(["12 500,50", "1.234,5", "7,25", "1\u00a0000", "1\u202f000,5"],
                                 ".")
        self.assertEqual(column.decimal, ",", "an English user's French file")
        self.assertEqual([column.parse(v) for v in ("12 500,50", "1.234,5", "7,25", "1\u00a0000",
                                                     "1\u202f000,5")],
                         [12500.5, 1234.5, 7.25, 1000.0, 1000.5])
        self.assertEqual(code_of(column, "3.5"), "decimal_point")

    def test_ambiguous_cells_follow_the_column_then_the_language(self):
        self.assertEqual(pa.NumberColumn(["1,234", "5"], ".").parse("1,234"), 1234.0)
        self.assertEqual(pa.NumberColumn(["1,234", "5"], ",").parse("1,234"), 1.234)
        self.assertEqual(pa.NumberColumn(["1,234", "0,5"], ".").parse("1,234"), 1.234,
                         "0,5 shows the column's decimal comma")

    def test_characters_are_never_dropped(self):
        column = pa.NumberColumn(["Q3 2024", "12abc", "1 2 3 4", "1,2,3", "--5", "5-"], ".")
        for text in ("Q3 2024", "12abc", "1,2,3", "--5", "5-", "1.2.3x", "12 34"):
            self.assertIn(code_of(column, text), ("not_number", "decimal_comma"), text)
        self.assertEqual(code_of(column, "Q3 2024"), "not_number")
        self.assertEqual(column.parse("€ 1,200.50"), 1200.5)
        self.assertEqual(column.parse("-3.5"), -3.5)
        self.assertEqual(column.parse(12), 12.0)
        self.assertIsNone(column.parse(""))
        self.assertEqual(code_of(column, "45 %"), "not_number", "a percent sign is for rates")
        self.assertEqual(pa.NumberColumn([], ".", percent=True).parse("45 %"), 45.0)
        self.assertEqual(code_of(column, True), "not_number")

    def test_whole_numbers_and_identifiers(self):
        self.assertEqual(pa.parse_int("12"), 12)
        self.assertEqual(pa.parse_int(12.0), 12)
        for text in ("OPP00012", "12.5", "1 2", "#12", 12.5):
            with self.assertRaises(pa.CellError, msg=text):
                pa.parse_int(text)
        column = pa.NumberColumn(["1 200"], ".")
        self.assertEqual(column.parse_int("1 200"), 1200)
        with self.assertRaises(pa.CellError):
            column.parse_int("3.5")


class TestDates(unittest.TestCase):

    def test_column_decides_day_or_month_first(self):
        day_first = pa.DateColumn(["13/01/2025", "02/03/2025"], day_first=False)
        self.assertEqual(day_first.parse("02/03/2025"), datetime.date(2025, 3, 2))
        month_first = pa.DateColumn(["01/13/2025", "02/03/2025"], day_first=True)
        self.assertEqual(month_first.parse("02/03/2025"), datetime.date(2025, 2, 3))

    def test_every_day_up_to_12_follows_the_language(self):
        values = ["01/02/2025", "03/04/2025"]
        self.assertEqual(pa.DateColumn(values, day_first=True).parse("01/02/2025"),
                         datetime.date(2025, 2, 1))
        self.assertEqual(pa.DateColumn(values, day_first=False).parse("01/02/2025"),
                         datetime.date(2025, 1, 2))

    def test_mixed_column_refuses_the_misfits_and_the_ambiguous(self):
        column = pa.DateColumn(["13/01/2025", "14/01/2025", "01/13/2025", "02/03/2025"],
                               day_first=False)
        self.assertEqual(column.parse("13/01/2025"), datetime.date(2025, 1, 13))
        self.assertEqual(code_of(column, "01/13/2025"), "month_first")
        self.assertEqual(code_of(column, "02/03/2025"), "date_ambiguous")
        self.assertEqual(column.parse("2025-03-02"), datetime.date(2025, 3, 2), "ISO is clear")

    def test_not_dates(self):
        column = pa.DateColumn([], day_first=True)
        for value in ("Q3 2024", "31/02/2025", "2025-13-01", "next week", 45000):
            self.assertEqual(code_of(column, value), "not_date", value)
        self.assertEqual(column.parse("14.01.25"), datetime.date(2025, 1, 14))
        self.assertEqual(column.parse(datetime.datetime(2025, 1, 14, 9, 30)),
                         datetime.date(2025, 1, 14))
        self.assertEqual(pa.day_first("%d/%m/%Y"), True)
        self.assertEqual(pa.day_first("%m/%d/%Y"), False)


class TestMilestoneWords(unittest.TestCase):

    def test_every_spelling(self):
        expected = {
            "won": ("Gagné", "Gagnée", "GAGNE", "gagnés", "Won", "WON", "remportée"),
            "lost": ("Perdu", "Perdue", "perdues", "Lost", "LOST"),
            "open": ("Ouvert", "Ouverte", "Open", "open", "En cours"),
            "hold": ("En attente", "EN ATTENTE", "On hold", "On-hold", "on hold"),
        }
        for status, words in expected.items():
            for word in words:
                self.assertEqual(pa.milestone_of(word), status, word)
        self.assertIsNone(pa.milestone_of("Negotiation"))


class TestFormulas(unittest.TestCase):

    def test_csv_formula_text_is_marked_but_not_the_exports_quoted_text(self):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerows([["ID", "Nom"], ["1", '=HYPERLINK("http://x";"Site")'], ["2", "=B2*2"],
                          ["3", "'=SUM(A1)"], ["4", "=Sheet1!A1"], ["5", "= Great deal!"],
                          ["6", "-20% discount deal"], ["7", "Café"], [], []])
        headers, rows = sp.read_table("f.csv", buffer.getvalue().encode("cp1252"))
        marked = [type(values[1]) is sp.Formula for _line, values in rows]
        self.assertEqual(marked, [True, True, False, True, False, False, False])

    def test_xlsx_formula_cached_value_or_formula(self):
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = workbook.add_worksheet()
        sheet.write_row(0, 0, ["ID", "Name", "Amount"])
        sheet.write_number(1, 0, 1)
        sheet.write_string(1, 1, "=HYPERLINK(\"x\")")  # text, as the export writes it
        sheet.write_formula(1, 2, "=2*3", None, 6)
        workbook.close()
        _headers, rows = sp.read_table("c.xlsx", buffer.getvalue())
        self.assertEqual(rows[0][1], [1, "=HYPERLINK(\"x\")", 6])
        self.assertNotIsInstance(rows[0][1][1], sp.Formula)
        book = openpyxl.Workbook()
        book.active.append(["ID", "Name"])
        book.active.append([1, "=HYPERLINK(\"http://x\",\"Site\")"])
        buffer = io.BytesIO()
        book.save(buffer)
        _headers, rows = sp.read_table("o.xlsx", buffer.getvalue())
        self.assertIsInstance(rows[0][1][1], sp.Formula, "no cached value: a formula")
