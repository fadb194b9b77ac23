import base64
import io
from datetime import timedelta

import openpyxl

import odoo

from .common import SuiteCase

TODAY = "2027-03-10"


class TestReports(SuiteCase):
    """Sales insights on a small hand-built data set whose answers are known."""

    def setUp(self):
        super().setUp()
        self.euro = self.env.ref("base.EUR")
        self.euro.active = True
        A, B = self.rep, self.other_rep
        self.l1 = self.make("L1", "2027-01-05", A, type="lead", stage_id=False)
        self.o1 = self.make("O1", "2027-01-10", A, planned_revenue=1000, probability=10,
                            date_deadline="2027-03-20")
        self.o2 = self.make("O2", "2027-01-20", A, planned_revenue=2000)
        self.close(self.o2, "won", "2027-01-30 09:00:00")
        self.o3 = self.make("O3", "2027-02-05", B, planned_revenue=500,
                            stage_id=self.stage_proposal.id)
        self.close(self.o3, "lost", "2027-02-06 09:00:00")
        self.o4 = self.make("O4", "2027-02-10", B, planned_revenue=3000)
        self.close(self.o4, "won", "2027-03-02 09:00:00")
        self.o5 = self.make("O5", "2027-02-15", B, planned_revenue=4000, probability=60,
                            stage_id=self.stage_proposal.id, date_deadline="2027-04-15")
        self.o6 = self.make("O6", "2027-01-11", A, planned_revenue=9999)
        self.close(self.o6, "won", "2027-01-12 09:00:00")
        self.o6.unlink()  # in the trash: never counts
        self.o7 = self.make("O7", "2027-03-01", A, probability=10, date_deadline="2027-03-25",
                            currency_id=self.euro.id, line_ids=[(0, 0, {
                                "line_type": "text", "name": "Survey", "quantity": 1,
                                "price_unit": 100.0})])
        company_currency = self.env.user.company_id.currency_id
        self.o7_revenue = self.euro.with_context(date=odoo.fields.Date.today()).compute(
            100.0, company_currency)
        call = self.env.ref("mail.mail_activity_data_call")
        meeting = self.env.ref("mail.mail_activity_data_meeting")
        self.o1.sudo(A).log_activity(call, "First call")
        self.o1.sudo(A).log_activity(call, "Second call")
        self.o5.sudo(B).log_activity(meeting, "Site meeting")
        self.types = {"call": call.id, "meeting": meeting.id}
        self.filters = {"team_ids": [self.team.id]}

    def make(self, name, created, user, **vals):
        values = {"name": name, "user_id": user.id, "stage_id": self.stage_new.id}
        values.update(vals)
        lead = self.new_opportunity(**values)
        self.env.cr.execute("UPDATE crm_lead SET create_date = %s WHERE id = %s",
                            (created + " 09:00:00", lead.id))
        lead.invalidate_cache()
        return lead

    def close(self, lead, status, closed):
        lead.write({"status": status})
        self.env.cr.execute("UPDATE crm_lead SET date_closed = %s WHERE id = %s",
                            (closed, lead.id))
        lead.invalidate_cache()

    def compute(self, **filters):
        return self.env["crm.sales.insight"].compute(dict(self.filters, **filters), months=2,
                                                     today=TODAY)

    def test_known_answers(self):
        data = self.compute()
        self.assertEqual(
            [(r["period"], r["created"], r["opportunities"], r["won"], r["to_opportunity"],
              r["to_won"]) for r in data["by_month"]],
            [("2027-01", 3, 2, 1, 66.7, 50.0), ("2027-02", 3, 3, 1, 100.0, 33.3),
             ("2027-03", 1, 1, 0, 100.0, 0.0)])
        self.assertEqual([(r["period"], r["created"], r["won"]) for r in data["by_quarter"]],
                         [("2027-Q1", 7, 2)])
        self.assertEqual(data["summary"], {"won": 2, "lost": 1, "win_rate": 66.7,
                                           "cycle_days": 15.0})
        stages = {row["stage_id"]: row["reached"] for row in data["by_stage"]}
        self.assertEqual((stages[self.stage_new.id], stages[self.stage_proposal.id]), (6, 4))
        reps = {rep["user_id"]: rep for rep in data["reps"]}
        self.assertEqual(
            (reps[self.rep.id]["owned"], reps[self.rep.id]["won"],
             reps[self.rep.id]["won_value"], reps[self.rep.id]["win_rate"],
             reps[self.rep.id]["average_deal"], reps[self.rep.id]["activities"]),
            (3, 1, 2000.0, 100.0, 2000.0, {self.types["call"]: 2}))
        self.assertEqual(
            (reps[self.other_rep.id]["owned"], reps[self.other_rep.id]["won_value"],
             reps[self.other_rep.id]["win_rate"], reps[self.other_rep.id]["activities"]),
            (3, 3000.0, 50.0, {self.types["meeting"]: 1}))
        self.assertEqual(data["months"], ["2027-03", "2027-04"])
        pipeline = {row["user_id"]: row["months"] for row in data["pipeline"]}
        self.assertAlmostEqual(pipeline[self.rep.id]["2027-03"],
                               round(100.0 + 0.1 * self.o7_revenue, 2))
        self.assertEqual(pipeline[self.rep.id]["2027-04"], 0.0)
        self.assertEqual(pipeline[self.other_rep.id]["2027-04"], 2400.0)
        self.assertEqual(len(data["teams_next_month"]), 1)
        team = data["teams_next_month"][0]
        self.assertEqual((team["team_id"], team["count"]), (self.team.id, 2))
        self.assertAlmostEqual(team["expected"], round(1000.0 + self.o7_revenue, 2))

    def test_currency_and_filters(self):
        self.assertNotEqual(round(self.o7_revenue, 2), 100.0, "EUR is converted")
        self.assertAlmostEqual(self.o7.planned_revenue, self.o7_revenue, places=2)
        only_b = self.compute(user_ids=[self.other_rep.id])
        self.assertEqual([rep["user_id"] for rep in only_b["reps"]], [self.other_rep.id])
        self.assertEqual(self.compute(date_from="2027-02-01", date_to="2027-02-28")[
            "summary"]["won"], 1)
        self.o4.probability_tag_id = self.hot
        hot = self.compute(probability_tag_ids=[self.hot.id])
        self.assertEqual((hot["summary"]["won"], [rep["user_id"] for rep in hot["reps"]]),
                         (1, [self.other_rep.id]))

    def test_trashed_never_count(self):
        data = self.compute()
        self.assertEqual(data["by_month"][0]["created"], 3)
        self.o6.sudo(self.manager).action_restore_from_trash()
        self.assertEqual(self.compute()["by_month"][0]["created"], 4)
        analysis = self.env["crm.opportunity.insight.report"].search(
            [("team_id", "=", self.team.id)])
        self.assertIn(self.o6, analysis.mapped("lead_id"))
        self.o6.unlink()
        analysis = self.env["crm.opportunity.insight.report"].search(
            [("team_id", "=", self.team.id)])
        self.assertNotIn(self.o6, analysis.mapped("lead_id"))
        self.assertEqual(len(analysis), 6)

    def wizard(self):
        return self.env["crm.sales.insight.wizard"].create({
            "team_ids": [(6, 0, self.team.ids)], "months": 2})

    def test_pdf_and_xlsx_hold_the_figures(self):
        wizard = self.wizard()
        text = self.pdf_text(self.env.ref("crm_opportunity_suite.action_report_sales_insights"),
                             wizard)
        self.assertIn("Sales insights", text)
        self.assertIn("66.7 %", text)
        self.assertIn("Rita Rep", text)
        self.assertIn("3,000.00", text)
        self.assertIn("15.0", text)
        workbook = openpyxl.load_workbook(io.BytesIO(wizard._xlsx()))
        summary = workbook["Summary"]
        self.assertEqual([cell.value for cell in summary[2]], [2, 1, 66.7, 15.0])
        reps = {row[0]: row for row in workbook["Reps"].iter_rows(min_row=2, values_only=True)}
        self.assertEqual(reps["Oscar Rep"][1:5], (3, 1, 3000, 50))

    def test_opportunity_quote_pdf(self):
        text = self.pdf_text(self.env.ref("crm_opportunity_suite.action_report_opportunity_quote"),
                             self.o7)
        self.assertIn(self.o7.reference, text)
        self.assertIn("Survey", text)
        self.assertIn("100.00", text)
        self.assertIn("Acme Ltd", text)

    def test_accountant_export(self):
        quote = self.o7.create_document("quote")
        invoice = self.o7.create_document("invoice")
        invoice.action_invoice_open()
        # The documents are dated in the user's time zone (the invoice: context_today), which
        # may be a day ahead of or behind UTC's (the demo administrator is in Brussels): the
        # export covers the days around.
        today = odoo.fields.Date.from_string(odoo.fields.Date.today())
        export = self.env["crm.document.export"].create({
            "date_from": odoo.fields.Date.to_string(today - timedelta(days=1)),
            "date_to": odoo.fields.Date.to_string(today + timedelta(days=1))})
        export.action_export()
        workbook = openpyxl.load_workbook(io.BytesIO(base64.b64decode(export.file_data)))
        rows = list(workbook.active.iter_rows(min_row=2, values_only=True))
        numbers = [row[1] for row in rows]
        self.assertIn(quote.name, numbers)
        self.assertIn(invoice.number, numbers)
        row = next(row for row in rows if row[1] == invoice.number)
        self.assertEqual((row[4], row[5], row[7], row[8]),
                         (self.o7.reference, 100.0, 100.0, "EUR"))
        total = next(row for row in rows if row[0] == "Total" and row[8] == "EUR")
        self.assertEqual(total[5], sum(r[5] for r in rows if r[0] != "Total" and r[8] == "EUR"
                                       and r[1] is not None))
