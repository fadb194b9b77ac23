"""The value's columns in the spreadsheet round trip (issue 17, points 2 and 3): the export
writes the value in the opportunity's currency, its currency, basis, duration, total and the
expected revenue in the company currency; the import reads them back (English and French),
refusing a bad basis, duration or currency on its row; the value over RPC."""
import base64
import csv
import io

import openpyxl

from odoo.exceptions import ValidationError

from .common import RpcCase
from .test_value import ValueMixin

HEADERS = ["Opportunity ID", "Expected value", "Currency", "Value basis", "Duration"]


def csv_file(rows):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


class TestValueImport(ValueMixin, RpcCase):

    def setUp(self):
        super().setUp()
        self.prepare_currencies()
        self.monthly = self.new_opportunity(
            name="Monthly", currency_id=self.other.id, value_amount=1000.0,
            value_basis="month", value_duration=12)
        self.fixed = self.new_opportunity(name="Fixed", value_amount=300.0)

    def import_file(self, content, file_name="values.csv", user=None, **options):
        Import = self.env["crm.lead.import"].sudo(user) if user else self.env["crm.lead.import"]
        wizard = Import.create(dict({"file_data": base64.b64encode(content),
                                     "file_name": file_name, "overwrite": True}, **options))
        wizard.action_load()
        wizard.action_import()
        self.env.clear()
        return wizard

    def rejected(self, wizard):
        report = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.report_file)))
        return [[cell.value for cell in row] for row in report.worksheets[0].iter_rows()][1:]

    def test_export_writes_the_value_columns(self):
        _name, content = (self.monthly | self.fixed)._export_spreadsheet("xlsx")
        sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
        headers = [cell.value for cell in sheet[1]]
        rows = {row[0]: dict(zip(headers, row))
                for row in sheet.iter_rows(min_row=2, values_only=True)}
        monthly, fixed = rows[self.monthly.id], rows[self.fixed.id]
        self.assertEqual(
            [monthly[h] for h in ("Expected value", "Currency", "Value basis", "Duration",
                                  "Total value")],
            [1000.0, self.other.name, "Per month", 12, 12000.0])
        self.assertAlmostEqual(monthly["Expected revenue (company currency)"], 6000.0, places=6)
        self.assertEqual(
            [fixed[h] for h in ("Expected value", "Currency", "Value basis", "Duration",
                                "Total value", "Expected revenue (company currency)")],
            [300.0, self.usd.name, "Fixed", None, 300.0, 300.0])
        self.assertLess(headers.index("Expected value"), headers.index("Currency"))

    def test_french_export_imported_back_unchanged_then_edited(self):
        self.env.user.lang = "fr_FR"
        leads = (self.monthly | self.fixed).with_context(lang="fr_FR")
        _name, content = leads._export_spreadsheet("csv")
        header_row = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        for header in ("Valeur attendue", "Devise", "Base de la valeur", "Durée",
                       "Valeur totale", "Revenu espéré (devise de la société)"):
            self.assertIn(header, header_row)
        self.assertIn("Par mois", content.decode("utf-8-sig"))
        wizard = self.import_file(content, "export.csv")
        self.assertEqual((wizard.log_id.updated_count, wizard.log_id.rejected_count), (0, 0))
        # Edited: the monthly value becomes yearly for 3 years in the company currency.
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        col = {header: index for index, header in enumerate(rows[0])}
        for row in rows[1:]:
            if row[0] == str(self.monthly.id):
                row[col["Base de la valeur"]], row[col["Durée"]] = "Par an", "3"
                row[col["Devise"]] = self.usd.name
        wizard = self.import_file(csv_file(rows), "export.csv")
        self.assertEqual(wizard.log_id.updated_count, 1)
        self.assertEqual((self.monthly.value_basis, self.monthly.value_duration,
                          self.monthly.currency_id, self.monthly.value_amount),
                         ("year", 3, self.usd, 1000.0))
        self.assertAlmostEqual(self.monthly.planned_revenue, 3000.0, places=6)

    def test_import_sets_basis_duration_currency(self):
        wizard = self.import_file(csv_file([HEADERS + ["Opportunity"], [
            self.fixed.reference, "250.004", self.other.name.lower(), "monthly", "24", ""], [
            "", "75", self.other.name, "Par semaine", "4", "Weekly new"]]))
        self.assertEqual((wizard.log_id.updated_count, wizard.log_id.created_count), (1, 1))
        self.assertEqual((self.fixed.value_amount, self.fixed.currency_id,
                          self.fixed.value_basis, self.fixed.value_duration,
                          self.fixed.value_total), (250.0, self.other, "month", 24, 6000.0))
        self.assertAlmostEqual(self.fixed.planned_revenue, 3000.0, places=6)
        note = self.fixed.message_ids[0].body
        self.assertIn("Value basis", note)
        self.assertIn("Expected Revenue", note)
        created = self.Lead.search([("name", "=", "Weekly new")])
        self.assertEqual((created.value_basis, created.value_duration, created.value_total),
                         ("week", 4, 300.0))
        self.assertAlmostEqual(created.planned_revenue, 150.0, places=6)
        # Undo writes the previous value back, and the expected revenue with it.
        wizard.action_undo()
        self.env.clear()
        self.assertEqual((self.fixed.value_amount, self.fixed.currency_id,
                          self.fixed.value_basis, self.fixed.planned_revenue),
                         (300.0, self.usd, "fixed", 300.0))

    def test_bad_basis_duration_and_currency_are_refused_per_row(self):
        self.env.ref("base.CHF").active = False
        rows = [HEADERS,
                [self.monthly.id, "10", "", "per fortnight", ""],
                [self.fixed.id, "", "XYZ", "", ""],
                [self.monthly.id + 100000, "", "", "", ""],
                [self.new_opportunity(name="Zero").id, "", "", "Per day", "0"],
                [self.new_opportunity(name="Half").id, "", "", "", "1.5"],
                [self.new_opportunity(name="Swiss").id, "", "CHF", "", ""],
                [self.new_opportunity(name="Good").id, "42", "", "Par trimestre", "2"]]
        wizard = self.import_file(csv_file(rows), skip_invalid=True)
        reasons = {line: reason for line, _cell, _header, _value, reason in
                   self.rejected(wizard)}
        self.assertIn('Unknown value basis "per fortnight"', reasons[2])
        self.assertIn("Per month", reasons[2])
        self.assertIn('No currency has the code "XYZ"', reasons[3])
        self.assertIn("at least 1", reasons[5])
        self.assertIn("whole number", reasons[6])
        self.assertIn("not active", reasons[7])
        self.assertNotIn(8, reasons, reasons.get(8))
        self.assertEqual((wizard.log_id.updated_count, wizard.log_id.rejected_count), (1, 6))
        good = self.Lead.search([("name", "=", "Good")])
        self.assertEqual((good.value_basis, good.value_duration, good.planned_revenue),
                         ("quarter", 2, 84.0))
        self.assertEqual((self.monthly.value_basis, self.monthly.value_amount),
                         ("month", 1000.0), "refused rows write nothing")
        self.assertEqual(self.fixed.currency_id, self.usd)
        # All or nothing: one bad row, nothing written.
        wizard = self.import_file(csv_file([HEADERS, [good.id, "1", "", "", ""],
                                            [self.fixed.id, "", "XYZ", "", ""]]))
        self.assertEqual(wizard.log_id.state, "failed")
        self.assertEqual(good.value_amount, 42.0)

    def test_value_over_rpc(self):
        self.team.member_ids |= self.demo
        lead = self.new_opportunity(name="Demo's", user_id=self.demo.id,
                                    currency_id=self.other.id)
        self.rpc(self.demo, "crm.lead", "write", lead.ids,
                 {"value_amount": 50.0, "value_basis": "hour", "value_duration": 8})
        self.assertAlmostEqual(lead.planned_revenue, 200.0, places=6)
        with self.assertRaises(ValidationError):
            self.rpc(self.demo, "crm.lead", "write", lead.ids, {"value_duration": 0})
        with self.assertRaises(ValueError):
            self.rpc(self.demo, "crm.lead", "write", lead.ids, {"value_basis": "fortnight"})
        # The expected revenue written directly: a fixed value in the company currency.
        self.rpc(self.demo, "crm.lead", "write", lead.ids, {"planned_revenue": 700.0})
        self.assertEqual((lead.value_basis, lead.value_amount), ("fixed", 1400.0))
        self.assertAlmostEqual(lead.planned_revenue, 700.0, places=6)
        read = self.rpc(self.demo, "crm.lead", "read", lead.ids,
                        ["value_total", "planned_revenue", "currency_id"])[0]
        self.assertEqual((read["value_total"], read["currency_id"][0]), (1400.0, self.other.id))
