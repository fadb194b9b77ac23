"""References in the spreadsheet import: the Reference column gives (unique) references, the
ID column still finds an opportunity by its reference, typed ones too, in any case."""
import base64
import io

import openpyxl

from .common import SuiteCase
from .test_import_parsing import xlsx_file


class TestReferenceImport(SuiteCase):

    def run_import(self, rows, **options):
        wizard = self.env["crm.lead.import"].create(dict(
            {"file_data": base64.b64encode(xlsx_file(rows)), "file_name": "refs.xlsx",
             "skip_invalid": True}, **options))
        wizard.action_load()
        wizard.action_dry_run()
        dry_run = wizard.preview_html
        wizard.action_import()
        log = wizard.log_id
        reasons = {}
        if log.report_file:
            report = openpyxl.load_workbook(io.BytesIO(base64.b64decode(log.report_file)))
            reasons = {(row[0], row[1]): row[4] for row in report.worksheets[0].iter_rows(
                min_row=2, values_only=True)}
        return log, dry_run, reasons

    def test_reference_column_sets_and_checks_references(self):
        lead1 = self.new_opportunity(name="Roof 1")
        lead2 = self.new_opportunity(name="Roof 2")
        lead3 = self.new_opportunity(name="Roof 3", reference="Taken-3")
        hidden = self.new_opportunity(name="Hidden", reference="HIDDEN-4",
                                      user_id=self.other_rep.id)
        log, dry_run, reasons = self.run_import([
            ["Opportunity ID", "Reference", "Opportunity"],
            [lead1.id, "  Job  17 ", ""],          # typed: cleaned
            [lead2.id, "taken-3", ""],             # another opportunity's, other case
            [lead3.id, "taken-3", ""],             # its own, in another case: a change
            ["", "NEW-1", "New roof"],             # a new opportunity with its reference
            ["", "new-1", "Newer roof"],           # the same reference again in the file
            ["", "hidden-4", "Mine"],              # a reference the user cannot see
            ["", "77", "Numbered"],                # a bare number
            ["", "", "Plain"],                     # none: the sequence
        ])
        self.assertIn("Job 17", dry_run)
        self.assertEqual(lead1.reference, "Job 17")
        self.assertEqual(lead3.reference, "taken-3")
        self.assertRegex(lead2.reference, r"^OPP\d{5}$", "unchanged")
        self.assertEqual(hidden.reference, "HIDDEN-4")
        self.assertIn("already used by another opportunity", reasons[(3, "B3")])
        self.assertIn("already given on line 5", reasons[(6, "B6")])
        self.assertIn("already used by another opportunity", reasons[(7, "B7")])
        self.assertIn("bare number", reasons[(8, "B8")])
        new = self.Lead.search([("name", "in", ("New roof", "Plain"))], order="name")
        self.assertEqual(new.mapped("reference")[0], "NEW-1")
        self.assertRegex(new.mapped("reference")[1], r"^OPP\d{5}$")
        self.assertEqual((log.updated_count, log.created_count, log.rejected_count), (2, 2, 4))

    def test_id_column_finds_a_typed_reference_in_any_case(self):
        lead = self.new_opportunity(reference="Chantier Nord-12", planned_revenue=10.0)
        other = self.new_opportunity(planned_revenue=10.0)
        log, _dry_run, reasons = self.run_import([
            ["Opportunity ID", "Expected value"],
            ["  chantier   NORD-12 ", 500],
            [other.reference.lower(), 600],
        ])
        self.assertEqual((lead.planned_revenue, other.planned_revenue), (500.0, 600.0))
        self.assertEqual(reasons, {})

    def test_unchanged_reference_column_changes_nothing(self):
        lead = self.new_opportunity(reference="Keep-1")
        log, _dry_run, reasons = self.run_import([
            ["Opportunity ID", "Reference"], [lead.reference, "Keep-1 "]])
        self.assertEqual((log.updated_count, reasons), (0, {}))
        self.assertEqual(lead.reference, "Keep-1")
