"""A hostile client: each promise of the README driven over authenticated RPC as the demo
sales user (a rep), a plain employee or a manager, asserting the refusal and that nothing
changed (exports, sales insights, the import's records)."""
import json

from odoo.exceptions import AccessError, UserError

from .common import SecurityCase


class TestExportsOverRpc(SecurityCase):
    """Point 5: opportunity data does not leave through any export without the permission."""

    def test_exports_through_other_models_are_gated(self):
        quote = self.env["sale.order"].create({
            "partner_id": self.customer.id, "opportunity_id": self.mine.id})
        self.env["crm.lead.line"].create({"lead_id": self.mine.id, "line_type": "text",
                                          "name": "Work", "price_unit": 1.0})
        task = self.env["project.task"].create({"name": "Visit", "opportunity_id": self.mine.id,
                                                "is_mission": True})
        paths = [
            ("res.partner", self.customer.ids, ["name", "opportunity_ids/name"]),
            ("res.partner", self.customer.ids, ["opportunity_ids/id"]),
            ("crm.lead.line", self.mine.line_ids.ids, ["lead_id/name"]),
            ("crm.lead.line", self.mine.line_ids.ids, ["name"]),
            ("sale.order", quote.ids, ["opportunity_id/planned_revenue"]),
            ("project.task", task.ids, ["opportunity_id"]),
            ("crm.lead", self.mine.ids, ["name"]),
            ("crm.opportunity.insight.report", self.mine.ids, ["expected_revenue"]),
        ]
        for model, ids, fields_to_export in paths:
            with self.assertRaises(AccessError, msg=(model, fields_to_export)):
                self.rpc(self.demo, model, "export_data", ids, fields_to_export)
        with self.assertRaises(AccessError):
            self.rpc(self.employee, "res.partner", "export_data", self.customer.ids,
                     ["opportunity_ids/name"])
        # Other data still exports as before.
        result = self.rpc(self.demo, "res.partner", "export_data", self.customer.ids, ["name"])
        self.assertEqual(result["datas"], [["Acme Ltd"]])

    def test_insights_spreadsheet_and_accountant_export_are_gated(self):
        wizard = self.rpc(self.demo, "crm.sales.insight.wizard", "create", {})
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "crm.sales.insight.wizard", "action_export_xlsx", [wizard])
        export = self.rpc(self.demo, "crm.document.export", "create",
                          {"date_from": "2020-01-01", "date_to": "2030-12-31"})
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "crm.document.export", "action_export", [export])
        self.assertFalse(self.env["crm.document.export"].browse(export).file_data)

    def test_pivot_download_gate(self):
        Gate = self.env["crm.export.gate"]
        self.assertTrue(Gate.touches_opportunities("crm.opportunity.insight.report"))
        self.assertTrue(Gate.touches_opportunities("crm.lead"))
        self.assertTrue(Gate.touches_opportunities(None), "a download that hides its model")
        self.assertTrue(Gate.touches_opportunities("no.such.model"))
        self.assertFalse(Gate.touches_opportunities("res.partner", ["name"]))
        self.assertTrue(Gate.touches_opportunities("res.partner",
                                                   ["opportunity_ids/stage_id/name"]))
        self.assertFalse(Gate.touches_opportunities("res.partner", ["unknown/field"]))


class TestInsightsOverRpc(SecurityCase):
    """Point 4: a rep's sales insights and analysis are those of what the rep may read."""

    def setUp(self):
        super().setUp()
        self.theirs.action_set_won()

    def test_rep_sees_only_readable_figures(self):
        data = self.rpc(self.demo, "crm.sales.insight", "compute", {})
        owners = {rep["user_id"] for rep in data["reps"]}
        self.assertNotIn(self.other_rep.id, owners)
        self.assertNotIn(90000.0, [rep["won_value"] for rep in data["reps"]])
        admin = self.rpc(self.env.ref("base.user_root"), "crm.sales.insight", "compute", {})
        self.assertIn(self.other_rep.id, {rep["user_id"] for rep in admin["reps"]})
        other_company = self.env["res.company"].create({"name": "Elsewhere Ltd"})
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "crm.sales.insight", "compute",
                     {"company_id": other_company.id})
        with self.assertRaises(UserError):
            self.rpc(self.demo, "crm.sales.insight", "compute", {"user_ids": "1) OR (1=1"})
        with self.assertRaises(UserError):
            self.rpc(self.demo, "crm.sales.insight", "compute", {}, months=10 ** 9)

    def test_rep_analysis_rows_follow_the_rules(self):
        rows = self.rpc(self.demo, "crm.opportunity.insight.report", "search_read",
                        [("lead_id", "in", [self.mine.id, self.theirs.id])], ["lead_id"])
        self.assertEqual([row["lead_id"][0] for row in rows], [self.mine.id])
        groups = self.rpc(self.demo, "crm.opportunity.insight.report", "read_group",
                          [], ["won_revenue", "user_id"], ["user_id"])
        self.assertNotIn(self.other_rep.id, [g["user_id"] and g["user_id"][0] for g in groups])


class TestImportLogOverRpc(SecurityCase):
    """Points 1 and 8: the import's records and what it replays."""

    def setUp(self):
        super().setUp()
        self.Log = self.env["crm.lead.import.log"]
        # An import by the demo rep: one update, two new opportunities.
        headers = ["Opportunity ID", "Opportunity", "Expected value"]
        rows = [(2, [self.mine.id, "Demo's first", "750"]), (3, ["", "Created one", "1"]),
                (4, ["", "Created two", "2"])]
        mapping = {0: "id", 1: "name", 2: "expected_revenue"}
        self.log = self.Log.sudo(self.demo).browse()._import(
            "mine.csv", headers, rows, mapping, True, False, False).sudo()
        self.assertEqual((self.log.updated_count, self.log.created_count), (1, 2))

    def test_log_records_are_not_writable(self):
        undo_data, state = self.log.undo_data, self.log.state
        forged = json.dumps({"updated": {str(self.theirs.id): {"name": "pwned"}},
                             "created": [self.theirs.id], "write_dates": {}, "after": {}})
        for vals in ({"undo_data": forged}, {"state": "done"},
                     {"options": json.dumps({"mapping": {"0": "custom:x\"; DROP TABLE"}})}):
            with self.assertRaises(AccessError):
                self.rpc(self.demo, "crm.lead.import.log", "write", self.log.ids, vals)
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "crm.lead.import.log", "create",
                     {"name": "forged.csv", "state": "queued", "options": "{}"})
        self.env.clear()
        self.assertEqual((self.log.undo_data, self.log.state), (undo_data, state))
        self.assertFalse(self.Log.search([("name", "=", "forged.csv")]))

    def test_crafted_mapping_is_refused_at_the_point_of_use(self):
        rows = [(2, [self.mine.id, "x"])]
        for key in ('custom:x_cos_a" = 1; --', "custom:name", "create_uid", "custom:id"):
            with self.assertRaises(UserError, msg=key):
                self.Log.sudo(self.demo).browse()._import(
                    "crafted.csv", ["ID", "X"], rows, {0: "id", 1: key})
        # A queued import whose options were changed in the database: the job refuses them.
        queued = self.Log.sudo(self.demo)._enqueue(
            "big.csv", b"ID,Opportunity\r\n%d,Changed\r\n" % self.mine.id,
            {0: "id", 1: "name"}, True, True, False)
        self.env.cr.execute("UPDATE crm_lead_import_log SET options = %s WHERE id = %s", (
            json.dumps({"mapping": {"0": "id", "1": 'custom:x_cos_y"=NULL--'},
                        "update_existing": True, "overwrite": True, "skip_invalid": False}),
            queued.id))
        queued.invalidate_cache()
        queued._run_in_background()
        self.assertEqual(queued.state, "failed")
        self.assertIn("This column cannot be imported", queued.message_ids[0].body)
        self.assertEqual(self.mine.name, "Demo's first")

    def test_tampered_undo_data_is_refused(self):
        self.env.cr.execute("UPDATE crm_lead_import_log SET undo_data = %s WHERE id = %s", (
            json.dumps({"updated": {str(self.mine.id): {"create_uid": 1}},
                        "created": [], "write_dates": {}, "after": {}}), self.log.id))
        self.log.invalidate_cache()
        with self.assertRaises(UserError):
            self.rpc(self.demo, "crm.lead.import.log", "action_undo", self.log.ids)
        self.env.cr.execute("UPDATE crm_lead_import_log SET undo_data = %s WHERE id = %s", (
            json.dumps({"updated": {}, "created": [self.theirs.id], "write_dates": {},
                        "after": {}}), self.log.id))
        self.log.invalidate_cache()
        with self.assertRaises(UserError):
            self.rpc(self.demo, "crm.lead.import.log", "action_undo", self.log.ids)
        self.assertEqual(self.lead_state(self.theirs)[0][4], False, "not trashed")

    def test_rep_undoes_an_import_that_created_several(self):
        created = self.Lead.search([("name", "in", ["Created one", "Created two"])])
        self.assertEqual(len(created), 2)
        self.rpc(self.demo, "crm.lead.import.log", "action_undo", self.log.ids)
        self.env.clear()
        self.assertEqual(self.log.state, "undone")
        self.assertEqual(self.mine.planned_revenue, 0.0)
        self.env.cr.execute("SELECT count(*) FROM crm_lead WHERE id IN %s AND trash_date "
                            "IS NOT NULL", (tuple(created.ids),))
        self.assertEqual(self.env.cr.fetchone()[0], 2, "both moved to the trash")
