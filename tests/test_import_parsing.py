"""Files made the way people make them: French Excel CSVs (cp1252, semicolons, CRLF, trailing
empty lines), milestone words in any spelling, numbers and dates in either convention,
references in the ID column, formulas."""
import base64
import csv
import io
import json

import openpyxl

from .common import SuiteCase


def csv_file(rows, delimiter=";", encoding="cp1252"):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return (buffer.getvalue() + "\r\n\r\n").encode(encoding)


def xlsx_file(rows):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class TestImportParsing(SuiteCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reason = cls.env["crm.lost.reason"].create({"name": "Trop cher"})
        cls.leads = [cls.Lead.create({
            "name": "Toit %d" % index, "type": "opportunity", "team_id": cls.team.id,
            "stage_id": cls.stage_new.id, "partner_id": cls.customer.id,
            "planned_revenue": 100.0}) for index in range(4)]

    def run_import(self, content, file_name, lang="en_US", **options):
        self.env.user.lang = lang
        wizard = self.env["crm.lead.import"].create(dict(
            {"file_data": base64.b64encode(content), "file_name": file_name}, **options))
        wizard.action_load()
        wizard.action_dry_run()
        dry_run = wizard.preview_html
        wizard.action_import()
        return wizard.log_id, dry_run

    @staticmethod
    def reasons(log):
        if not log.report_file:
            return {}
        report = openpyxl.load_workbook(io.BytesIO(base64.b64decode(log.report_file)))
        return {(row[0], row[1]): row[4] for row in report.worksheets[0].iter_rows(
            min_row=2, values_only=True)}

    def test_french_excel_csv_with_gagne_perdu_and_a_stage_name(self):
        lead1, lead2, lead3, lead4 = self.leads
        content = csv_file([
            ["ID de l'opportunité", "Jalon", "Raison de la perte", "Valeur attendue",
             "Échéance"],
            [lead1.id, "Gagné", "", "12 500,50", "25/12/2026"],
            [lead2.id, "perdu", "Trop cher", "1\u00a0000", "03/04/2026"],
            [lead3.id, "S-Proposal", "", "7,5", ""],
            [lead4.id, "EN ATTENTE", "", "", "01/02/2027"],
        ])
        log, _dry_run = self.run_import(content, "export.csv", lang="fr_FR", overwrite=True)
        self.assertEqual(self.reasons(log), {})
        self.assertEqual((log.state, log.updated_count, log.rejected_count), ("done", 4, 0))
        self.assertEqual((lead1.status, lead1.planned_revenue, lead1.date_deadline),
                         ("won", 12500.5, "2026-12-25"))
        self.assertEqual((lead2.status, lead2.lost_reason, lead2.planned_revenue,
                          lead2.date_deadline), ("lost", self.reason, 1000.0, "2026-04-03"))
        self.assertEqual((lead3.stage_id, lead3.status, lead3.planned_revenue),
                         (self.stage_proposal, "open", 7.5), "moved to the stage it names")
        self.assertEqual((lead4.status, lead4.date_deadline), ("hold", "2027-02-01"))

    def test_milestone_naming_another_pipelines_stage_is_refused(self):
        other = self.env["crm.team"].create({"name": "Autre pipeline"})
        self.env["crm.stage"].create({"name": "Ailleurs", "team_id": other.id})
        content = xlsx_file([["Opportunity ID", "Milestone"], [self.leads[0].id, "Ailleurs"],
                             [self.leads[1].id, "Maybe"]])
        log, _dry_run = self.run_import(content, "stages.xlsx")
        reasons = self.reasons(log)
        self.assertIn("Unknown milestone \"Ailleurs\"", reasons[(2, "B2")])
        self.assertIn("Unknown milestone \"Maybe\"", reasons[(3, "B3")])
        self.assertEqual(self.leads[0].stage_id, self.stage_new)

    def test_english_users_file_refuses_what_does_not_fit(self):
        lead1, lead2, lead3, lead4 = self.leads
        content = csv_file([
            ["Opportunity ID", "Expected value", "Due date"],
            [lead1.id, "1,200.50", "13/01/2026"],
            [lead2.id, "12 500,50", "14/01/2026"],
            [lead3.id, "Q3 2024", "01/13/2026"],
            [lead4.id, "300.25", "02/03/2026"],
        ], delimiter=",", encoding="utf-8")
        log, dry_run = self.run_import(content, "deals.csv")
        self.assertEqual(log.state, "failed")
        self.assertEqual([lead.planned_revenue for lead in self.leads], [100.0] * 4,
                         "all or nothing: nothing written")
        reasons = self.reasons(log)
        self.assertIn("\"12 500,50\" has a decimal comma, but the other numbers of this column "
                      "have a decimal point", reasons[(3, "B3")])
        self.assertEqual(reasons[(4, "B4")], "\"Q3 2024\" is not a number.")
        self.assertIn("\"01/13/2026\" is written month first", reasons[(4, "C4")])
        self.assertIn("\"02/03/2026\" can be read day first or month first", reasons[(5, "C5")])
        self.assertEqual(sorted(reasons), [(3, "B3"), (4, "B4"), (4, "C4"), (5, "C5")])
        self.assertIn("has a decimal comma", dry_run)

        log, _dry_run = self.run_import(content, "deals.csv", skip_invalid=True)
        self.assertEqual((lead1.planned_revenue, lead1.date_deadline), (1200.5, "2026-01-13"))
        self.assertEqual(lead2.planned_revenue, 100.0, "refused, never read as 1250050")

    def test_dates_up_to_the_12th_follow_the_users_language(self):
        lead1, lead2 = self.leads[:2]
        rows = [["Opportunity ID", "Due date"], [lead1.id, "01/02/2026"],
                [lead2.id, "03/04/2026"]]
        self.run_import(csv_file(rows), "fr.csv", lang="fr_FR")
        self.assertEqual((lead1.date_deadline, lead2.date_deadline),
                         ("2026-02-01", "2026-04-03"))
        self.run_import(csv_file(rows, ","), "en.csv", lang="en_US")
        self.assertEqual((lead1.date_deadline, lead2.date_deadline),
                         ("2026-01-02", "2026-03-04"))

    def test_reference_in_the_id_column(self):
        lead1, lead2 = self.leads[:2]
        self.assertTrue(lead1.reference.startswith("OPP"))
        content = xlsx_file([["Opportunity ID", "Expected value"],
                             [lead1.reference.lower(), 500],
                             ["X%d" % lead2.id, 600],
                             ["OPP99999999", 700]])
        log, _dry_run = self.run_import(content, "refs.xlsx", skip_invalid=True)
        self.assertEqual(lead1.planned_revenue, 500.0, "looked up by its reference")
        self.assertEqual(lead2.planned_revenue, 100.0, "never read as its ID")
        reasons = self.reasons(log)
        self.assertEqual(reasons[(3, "A3")], "\"X%d\" is neither an opportunity ID nor the "
                                             "reference of an opportunity." % lead2.id)
        self.assertIn("OPP99999999", reasons[(4, "A4")])
        self.assertEqual((log.updated_count, log.rejected_count), (1, 2))

    def test_reference_of_an_opportunity_the_user_may_not_read(self):
        hidden = self.Lead.create({"name": "Hidden", "type": "opportunity",
                                   "user_id": self.other_rep.id, "team_id": self.team.id})
        content = xlsx_file([["Opportunity ID", "Expected value"], [hidden.reference, 5]])
        wizard = self.env["crm.lead.import"].sudo(self.rep).create({
            "file_data": base64.b64encode(content), "file_name": "x.xlsx"})
        wizard.action_load()
        wizard.action_dry_run()
        self.assertIn("is neither an opportunity ID nor the reference", wizard.preview_html)

    def test_formulas_refused_unless_taken_as_text(self):
        lead1, lead2 = self.leads[:2]
        content = csv_file([["Opportunity ID", "Opportunity", "Expected value"],
                            [lead1.id, '=HYPERLINK("https://example.com";"Site")', "10"],
                            [lead2.id, "'=SUM(A1)", "=B2*2"]])
        log, dry_run = self.run_import(content, "f.csv", overwrite=True)
        reasons = self.reasons(log)
        self.assertEqual(sorted(reasons), [(2, "B2"), (3, "C3")],
                         "the export's quoted text is no formula")
        self.assertIn("This cell holds a formula (=HYPERLINK(", reasons[(2, "B2")])
        self.assertIn("Import formulas as text", reasons[(3, "C3")])
        self.assertIn("holds a formula", dry_run)
        self.assertEqual(lead1.name, "Toit 0")

        log, _dry_run = self.run_import(
            xlsx_file([["Opportunity ID", "Opportunity"], [lead1.id, "=HYPERLINK(\"x\")"]]),
            "f.xlsx", overwrite=True)
        self.assertIn("holds a formula", self.reasons(log)[(2, "B2")],
                      "an .xlsx formula without a cached value")

        log, _dry_run = self.run_import(content, "f.csv", overwrite=True, skip_invalid=True,
                                        formulas_as_text=True)
        self.assertEqual(lead1.name, '=HYPERLINK("https://example.com";"Site")')
        self.assertIn("=B2*2", self.reasons(log)[(3, "C3")], "as text, still not a number")

    def test_formula_option_reaches_the_background_job(self):
        log = self.env["crm.lead.import.log"]._enqueue(
            "big.csv", b"ID\r\n1\r\n", {0: "id"}, True, False, False, True)
        self.assertTrue(json.loads(log.options)["formulas_as_text"])
