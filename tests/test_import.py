import base64
import io

import openpyxl

from odoo.exceptions import UserError

from .common import SuiteTransactionCase


class TestImport(SuiteTransactionCase):

    def setUp(self):
        super().setUp()
        self.other_team = self.env["crm.team"].create({"name": "Other pipeline"})
        self.other_stage = self.env["crm.stage"].create({
            "name": "Other-only stage", "team_id": self.other_team.id, "probability": 40})
        self.reason = self.env["crm.lost.reason"].create({"name": "Budget cut"})
        self.size = self.env["crm.lead.custom.field"].create({
            "name": "Site size", "field_type": "selection",
            "option_ids": [(0, 0, {"name": "Small"}), (0, 0, {"name": "Big"})]})
        self.lead1 = self.new_opportunity(name="Roof Alpha", planned_revenue=100.0,
                                          probability=10)
        self.lead2 = self.new_opportunity(name="Roof Beta", planned_revenue=200.0,
                                          probability=10)
        self.Log = self.env["crm.lead.import.log"]

    def wizard(self, content, file_name="opportunities.xlsx", **options):
        wizard = self.env["crm.lead.import"].create(dict(
            {"file_data": base64.b64encode(content), "file_name": file_name}, **options))
        wizard.action_load()
        return wizard

    @staticmethod
    def xlsx(rows):
        workbook = openpyxl.Workbook()
        for row in rows:
            workbook.active.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def state(self):
        return [(l.name, l.stage_id.id, l.team_id.id, l.planned_revenue, l.probability, l.status,
                 l.active, l.lost_reason.id, l.x_cos_site_size)
                for l in (self.lead1 | self.lead2).with_context(active_test=False)]

    def test_export_edit_import_round_trip(self):
        export = self.env["crm.lead.export"].with_context(
            active_model="crm.lead", active_ids=(self.lead1 | self.lead2).ids).create(
            {"file_format": "xlsx"})
        export.action_export()
        workbook = openpyxl.load_workbook(io.BytesIO(base64.b64decode(export.file_data)))
        sheet = workbook.worksheets[0]
        headers = [c.value for c in sheet[1]]
        col = {h: i + 1 for i, h in enumerate(headers)}
        for row in (2, 3):
            lead_id = sheet.cell(row, col["Opportunity ID"]).value
            if lead_id == self.lead1.id:
                sheet.cell(row, col["Stage"]).value = "S-Proposal"
                sheet.cell(row, col["Expected value"]).value = 1234.5
                sheet.cell(row, col["Site size"]).value = "Big"
            else:
                sheet.cell(row, col["Milestone"]).value = "Lost"
                sheet.cell(row, col["Lost reason"]).value = "Budget cut"
        buffer = io.BytesIO()
        workbook.save(buffer)
        wizard = self.wizard(buffer.getvalue(), overwrite=True)
        targets = {c.header: c.target for c in wizard.column_ids}
        self.assertEqual(targets["Opportunity ID"], "id")
        self.assertEqual(targets["Stage"], "stage")
        self.assertEqual(targets["Site size"], "custom:x_cos_site_size")
        self.assertEqual(targets["Reference"], "reference")
        wizard.action_dry_run()
        self.assertIn("2 to update, 0 to create", wizard.preview_html)
        self.assertIn("S-New", wizard.preview_html)      # old stage
        self.assertIn("S-Proposal", wizard.preview_html)  # new stage
        self.assertEqual(self.lead1.stage_id, self.stage_new, "a dry run writes nothing")
        wizard.action_import()
        self.assertEqual(wizard.log_id.updated_count, 2)
        self.assertEqual(self.lead1.stage_id, self.stage_proposal)
        self.assertEqual(self.lead1.planned_revenue, 1234.5)
        self.assertEqual(self.lead1.x_cos_site_size, "big")
        self.assertEqual((self.lead2.active, self.lead2.status, self.lead2.lost_reason),
                         (False, "lost", self.reason))
        summary = self.lead1.message_ids[0]
        self.assertIn("Updated by the import", summary.body)
        self.assertIn("S-Proposal", summary.body)
        self.assertEqual(len(self.lead1.message_ids.filtered(
            lambda m: "import" in (m.body or ""))), 1, "one summary per opportunity")

    def test_french_headers_cp1252_semicolons(self):
        content = ("ID de l'opportunité;Étape;Jalon;Raison de la perte;Valeur attendue\r\n"
                   "%d;S-Proposal;Ouverte;;1 500,50\r\n%d;;Perdue;Budget cut;\r\n"
                   % (self.lead1.id, self.lead2.id)).encode("cp1252")
        self.env.user.lang = "fr_FR"
        wizard = self.wizard(content, "export.csv")
        self.assertEqual(sorted(c.target for c in wizard.column_ids),
                         ["expected_revenue", "id", "lost_reason", "milestone", "stage"])
        wizard.write({"overwrite": True})
        wizard.action_import()
        self.assertEqual(self.lead1.stage_id, self.stage_proposal)
        self.assertEqual(self.lead1.planned_revenue, 1500.5)
        self.assertEqual(self.lead2.status, "lost")

    def test_rows_without_id_create_opportunities(self):
        content = self.xlsx([["Opportunity ID", "Opportunity", "Pipeline", "Stage"],
                             [None, "Brand new", "Suite team", "S-Proposal"]])
        wizard = self.wizard(content)
        wizard.action_import()
        created = self.Lead.search([("name", "=", "Brand new")])
        self.assertEqual(len(created), 1)
        self.assertEqual((created.type, created.team_id, created.stage_id),
                         ("opportunity", self.team, self.stage_proposal))
        self.assertEqual(wizard.log_id.created_count, 1)

    def test_invalid_rows_all_or_nothing(self):
        before = self.state()
        content = self.xlsx([
            ["Opportunity ID", "Stage", "Lost reason", "Milestone", "Site size", "Contact ID",
             "Expected value"],
            [self.lead1.id, "S-Proposal", None, None, "Small", None, 999],
            [99999999, None, None, None, None, None, None],
            [self.lead2.id, "Other-only stage", None, None, None, None, None],
            [self.lead2.id, None, None, None, None, None, None],
            [self.lead1.id + 0, None, None, None, None, None, None],
            [None, None, "No such reason", "Lost", None, None, None],
            [None, None, None, None, "Huge", None, None],
            [None, None, None, None, None, 99999999, None],
            [None, None, None, "Maybe", None, None, "abc"],
            [None, None, None, None, None, None, 5],
        ])
        wizard = self.wizard(content)
        wizard.action_import()
        self.assertEqual(self.state(), before, "nothing written")
        log = wizard.log_id
        self.assertEqual(log.state, "failed")
        report = openpyxl.load_workbook(io.BytesIO(base64.b64decode(log.report_file)))
        rows = [[c.value for c in row] for row in report.worksheets[0].iter_rows(min_row=2)]
        reasons = "\n".join("%s %s %s" % (r[0], r[1], r[4]) for r in rows)
        self.assertIn("3 A3 No opportunity has the ID 99999999", reasons)
        self.assertIn("does not belong to the pipeline \"Suite team\"", reasons)
        self.assertIn("is already on line 2", reasons)
        self.assertIn("No lost reason is named \"No such reason\"", reasons)
        self.assertIn("\"Huge\" is not an option of \"Site size\" (Small, Big)", reasons)
        self.assertIn("No contact has the ID \"99999999\"", reasons)
        self.assertIn("Unknown milestone \"Maybe\"", reasons)
        self.assertIn("\"abc\" is not a number", reasons)
        self.assertIn("needs a name", reasons)

    def test_skip_invalid_rows(self):
        content = self.xlsx([["Opportunity ID", "Stage"],
                             [self.lead1.id, "S-Proposal"],
                             [self.lead2.id, "Other-only stage"]])
        wizard = self.wizard(content, skip_invalid=True)
        wizard.action_import()
        self.assertEqual(self.lead1.stage_id, self.stage_proposal)
        self.assertEqual(self.lead2.stage_id, self.stage_new)
        self.assertEqual((wizard.log_id.updated_count, wizard.log_id.rejected_count), (1, 1))
        self.assertTrue(wizard.report_file)

    def test_rows_refused_when_written(self):
        """A business rule checked only when writing (items required on a new opportunity):
        the rows it refuses are reported; skip mode writes the others, all-or-nothing none."""
        self.env.user.company_id.crm_lead_line_required = True
        self.lead1.line_ids = [(0, 0, {"line_type": "text", "name": "Visit", "price_unit": 10.0})]
        content = self.xlsx([["Opportunity ID", "Name", "Stage"],
                             [self.lead1.id, None, "S-Proposal"],
                             [None, "Roof Gamma", None]])
        before = self.state()
        count = self.env["crm.lead"].search_count([])
        wizard = self.wizard(content)
        wizard.action_import()
        self.assertEqual(self.state(), before)
        self.assertEqual(self.env["crm.lead"].search_count([]), count)
        self.assertEqual(wizard.log_id.state, "failed")
        report = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.report_file)))
        rows = list(report.worksheets[0].iter_rows(min_row=2, values_only=True))
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0][0], 3)
        self.assertIn("needs at least one item line", rows[0][4])

        wizard = self.wizard(content, skip_invalid=True)
        wizard.action_import()
        self.assertEqual(self.lead1.stage_id, self.stage_proposal)
        self.assertEqual(self.env["crm.lead"].search_count([]), count)
        self.assertEqual((wizard.log_id.state, wizard.log_id.updated_count,
                          wizard.log_id.created_count, wizard.log_id.rejected_count),
                         ("done", 1, 0, 1))
        wizard.action_undo()
        self.assertEqual(self.state(), before)

    def test_stage_and_pipeline_change_together(self):
        content = self.xlsx([["Opportunity ID", "Pipeline", "Stage"],
                             [self.lead1.id, "Other pipeline", "Other-only stage"],
                             [self.lead2.id, "Other pipeline", None]])
        wizard = self.wizard(content, overwrite=True, skip_invalid=True)
        wizard.action_import()
        self.assertEqual((self.lead1.team_id, self.lead1.stage_id),
                         (self.other_team, self.other_stage))
        self.assertEqual(self.lead2.team_id, self.team, "its stage belongs to the old pipeline")

    def test_owner_change_follows_crm_rules(self):
        outsider = self.env["res.users"].with_context(no_reset_password=True).create({
            "name": "Olga Outsider", "login": "cos_outsider",
            "groups_id": [(6, 0, [self.env.ref("sales_team.group_sale_salesman").id])]})
        outsider.sale_team_id = self.other_team
        self.lead1.date_open = "2000-01-01 00:00:00"
        content = self.xlsx([["Opportunity ID", "Owner"],
                             [self.lead1.id, "Olga Outsider"],
                             [self.lead2.id, "cos_rep"]])
        self.wizard(content).action_import()
        self.lead1.invalidate_cache()
        self.assertEqual(self.lead1.user_id, outsider)
        self.assertEqual(self.lead1.team_id, self.other_team, "crm moves it to her channel")
        self.assertGreater(self.lead1.date_open, "2000-01-01 00:00:00")
        self.assertEqual(self.lead2.user_id, self.rep)
        self.assertEqual(self.lead2.team_id, self.team, "a member keeps the channel")

    def test_overwrite_option(self):
        self.lead1.contact_id = False
        content = self.xlsx([["Opportunity ID", "Opportunity", "Contact ID"],
                             [self.lead1.id, "Renamed", self.contact.id]])
        self.wizard(content).action_import()
        self.assertEqual(self.lead1.name, "Roof Alpha", "not overwritten when off")
        self.assertEqual(self.lead1.contact_id, self.contact, "empty field filled in")
        self.wizard(content, overwrite=True).action_import()
        self.assertEqual(self.lead1.name, "Renamed")

    def test_contact_of_another_customer_is_rejected(self):
        stranger = self.env["res.partner"].create({"name": "Stan Stranger"})
        content = self.xlsx([["Opportunity ID", "Contact ID"], [self.lead1.id, stranger.id]])
        wizard = self.wizard(content, overwrite=True)
        wizard.action_dry_run()
        self.assertIn("The contact Stan Stranger does not belong to the customer Acme Ltd.",
                      wizard.preview_html)
        wizard.action_import()
        self.assertEqual(wizard.log_id.state, "failed")
        self.assertFalse(self.lead1.contact_id)

    def test_undo_restores_and_refuses_after_changes(self):
        content = self.xlsx([["Opportunity ID", "Stage", "Expected value", "Milestone"],
                             [self.lead1.id, "S-Proposal", 5000, None],
                             [self.lead2.id, None, None, "Won"],
                             [None, None, None, None]])
        before = self.state()
        wizard = self.wizard(content, overwrite=True, skip_invalid=True)
        wizard.action_import()
        self.assertEqual(self.lead2.status, "won")
        wizard.action_undo()
        self.assertEqual(self.state(), before)
        self.assertEqual(wizard.log_id.state, "undone")
        with self.assertRaisesRegex(UserError, "cannot be undone"):
            wizard.log_id.action_undo()
        wizard2 = self.wizard(content, overwrite=True, skip_invalid=True)
        wizard2.action_import()
        self.lead1.write({"planned_revenue": 42.0})
        with self.assertRaisesRegex(UserError, "changed after the import"):
            wizard2.log_id.action_undo()

    def test_unreadable_files(self):
        with self.assertRaisesRegex(UserError, "Choose a file"):
            self.env["crm.lead.import"].create({"file_data": b"", "file_name": "a.csv"}) \
                .action_load()
        garbage = base64.b64encode(b"\x00\xff" * (25 * 1024 * 1024))
        with self.assertRaisesRegex(UserError, "cannot be imported: The file is larger"):
            self.env["crm.lead.import"].create({"file_data": garbage, "file_name": "big.xlsx"}) \
                .action_load()
        with self.assertRaisesRegex(UserError, "cannot be imported"):
            self.wizard(b"PK\x03\x04garbage")

    def test_large_files_run_in_the_background(self):
        from odoo.addons.queue_job.job import Job
        self.env["ir.config_parameter"].set_param(
            "crm_opportunity_suite.background_import_rows", "1")
        content = self.xlsx([["Opportunity ID", "Stage", "Site size"],
                             [self.lead1.id, "S-Proposal", "Small"],
                             [self.lead2.id, "Other-only stage", "Big"]])
        wizard = self.wizard(content, skip_invalid=True)
        wizard.action_import()
        log = wizard.log_id
        self.assertEqual(log.state, "queued")
        self.assertIn("runs in the background", wizard.preview_html)
        self.assertEqual(self.lead1.stage_id, self.stage_new, "nothing written yet")
        job = self.env["queue.job"].search([("model_name", "=", "crm.lead.import.log"),
                                            ("method_name", "=", "_run_in_background")])
        self.assertEqual(len(job), 1)
        self.assertEqual(job.record_ids, log.ids)
        Job.load(self.env, job.uuid).perform()
        self.assertEqual(log.state, "done")
        self.assertEqual(self.lead1.stage_id, self.stage_proposal)
        self.assertEqual((log.updated_count, log.rejected_count), (1, 1))
        notice = log.message_ids[0]
        self.assertIn(self.env.user.partner_id, notice.partner_ids)
        self.assertIn("1 opportunities updated", notice.body)
        self.assertEqual(notice.attachment_ids.mapped("name"), [log.report_name])
