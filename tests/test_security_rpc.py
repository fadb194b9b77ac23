"""A hostile client: each promise of the README driven over authenticated RPC as the demo
sales user (a rep) or a plain employee, asserting the refusal and that nothing changed."""
import base64
import json
import tracemalloc
import zipfile
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError, ValidationError

from .common import RpcCase

REFUSED = (AccessError, UserError, ValidationError)


class SecurityCase(RpcCase):

    def setUp(self):
        super().setUp()
        self.team.member_ids |= self.demo
        # The demo rep's own opportunities, and another rep's.
        self.mine = self.new_opportunity(name="Demo's first", user_id=self.demo.id)
        self.mine2 = self.new_opportunity(name="Demo's second", user_id=self.demo.id)
        self.theirs = self.new_opportunity(name="Oscar's secret", user_id=self.other_rep.id,
                                           planned_revenue=90000.0)

    def lead_state(self, leads):
        self.env.clear()
        return [(l.name, l.status, l.active, l.probability, l.trash_date, l.user_id.id)
                for l in leads.with_context(active_test=False)]


class TestLifecycleOverRpc(SecurityCase):
    """Points 2, 3 and 10 of issue 13: missions, plain writes, merge, the trash."""

    def test_mission_does_not_grant_read_access(self):
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "crm.lead", "read", [self.theirs.id], ["name"])
        tasks_before = self.env["project.task"].search_count([])
        for user in (self.demo, self.employee):
            with self.assertRaises(AccessError):
                self.rpc(user, "project.task", "create", {
                    "name": "Let me in", "is_mission": True, "opportunity_id": self.theirs.id,
                    "user_id": user.id,
                    "project_id": self.env.ref("crm_opportunity_suite.project_missions").id})
        self.assertEqual(self.env["project.task"].search_count([]), tasks_before)
        # Nor by assigning themselves an existing mission of that opportunity.
        mission = self.env["project.task"].create({
            "name": "Survey", "is_mission": True, "opportunity_id": self.theirs.id,
            "user_id": self.other_rep.id})
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "project.task", "write", [mission.id],
                     {"user_id": self.demo.id})
        self.assertEqual(mission.user_id, self.other_rep)
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "crm.lead", "read", [self.theirs.id], ["name"])
        # A manager assigns the employee: the employee then reads it (the promise).
        manager = self.env.ref("base.user_root")
        self.rpc(manager, "project.task", "write", [mission.id], {"user_id": self.employee.id})
        rows = self.rpc(self.employee, "crm.lead", "read", [self.theirs.id], ["name"])
        self.assertEqual(rows[0]["name"], "Oscar's secret")

    def test_project_does_not_show_another_reps_opportunity(self):
        projects = self.env["project.project"].search_count([])
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "project.project", "create",
                     {"name": "Peek", "opportunity_id": self.theirs.id})
        own = self.rpc(self.demo, "project.project", "create", {"name": "Mine"})
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "project.project", "write", [own],
                     {"opportunity_id": self.theirs.id})
        self.assertEqual(self.env["project.project"].search_count([]), projects + 1)
        self.assertFalse(self.env["project.project"].browse(own).opportunity_id)
        # Their own opportunity: allowed, details shown.
        self.rpc(self.demo, "project.project", "write", [own], {"opportunity_id": self.mine.id})
        rows = self.rpc(self.demo, "project.project", "read", [own], ["opportunity_reference"])
        self.assertEqual(rows[0]["opportunity_reference"], self.mine.reference)

    def test_note_tags_are_not_created_through_a_note(self):
        tags = self.env["crm.note.tag"].search_count([])
        with self.assertRaises(REFUSED + (TypeError, ValueError)):
            self.rpc(self.demo, "crm.lead", "add_note", [self.mine.id], "<p>Hi</p>",
                     tags=[[0, 0, {"name": "Injected"}]])
        self.assertEqual(self.env["crm.note.tag"].search_count([]), tags)

    def test_trash_fields_are_not_writable(self):
        before = self.lead_state(self.mine | self.mine2)
        for vals in ({"trash_date": "2020-01-01 00:00:00"}, {"active_before_trash": True},
                     {"trashed_by_id": self.demo.id}, {"drop_token": "guessable"},
                     {"stage_before_close_id": self.stage_won.id}):
            with self.assertRaises(AccessError):
                self.rpc(self.demo, "crm.lead", "write", (self.mine | self.mine2).ids, vals)
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "crm.lead", "create", {
                "name": "Pre-trashed", "type": "opportunity", "trash_date": "2020-01-01"})
        self.assertEqual(self.lead_state(self.mine | self.mine2), before)
        self.assertFalse(self.Lead.with_context(active_test=False).search(
            [("name", "=", "Pre-trashed")]))

    def test_plain_writes_do_not_close_in_bulk(self):
        both = self.mine | self.mine2
        before = self.lead_state(both)
        attempts = [
            ("write", [both.ids, {"status": "lost"}]),
            ("write", [both.ids, {"status": "won"}]),
            ("write", [both.ids, {"active": False}]),
            ("write", [both.ids, {"probability": 100}]),
            ("write", [both.ids, {"stage_id": self.stage_won.id}]),
            ("action_set_lost", [both.ids]),
            ("action_set_won", [both.ids]),
            ("toggle_active", [both.ids]),
        ]
        for method, args in attempts:
            with self.assertRaises(AccessError, msg=method):
                self.rpc(self.demo, "crm.lead", method, *args)
        self.assertEqual(self.lead_state(both), before)
        # One at a time, as the form's Mark Lost: allowed.
        self.rpc(self.demo, "crm.lead", "action_set_lost", [self.mine.id])
        self.assertEqual(self.lead_state(self.mine)[0][1], "lost")

    def test_context_keys_do_not_delete_for_good(self):
        # A sales manager's delete goes to the trash, whatever context the client sends.
        self.set_password(self.manager, "cos-manager")
        self.rpc(self.manager, "crm.lead", "unlink", (self.mine | self.mine2).ids,
                 context={"cos_unlink": True})
        self.env.cr.execute("SELECT trash_date IS NOT NULL FROM crm_lead WHERE id IN %s",
                            ((self.mine.id, self.mine2.id),))
        self.assertEqual(self.env.cr.fetchall(), [(True,), (True,)], "in the trash, not deleted")

    def test_merge_does_not_empty_the_trash(self):
        manager = self.env.ref("base.user_root")
        self.rpc(manager, "crm.lead", "unlink", [self.mine2.id])
        # The rep is refused by access (not told that it is in the trash).
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "crm.lead", "merge_opportunity", [self.mine.id, self.mine2.id])
        with self.assertRaises(UserError):
            self.rpc(manager, "crm.lead", "merge_opportunity", [self.mine.id, self.mine2.id])
        self.env.cr.execute("SELECT count(*) FROM crm_lead WHERE id IN %s",
                            ((self.mine.id, self.mine2.id),))
        self.assertEqual(self.env.cr.fetchone()[0], 2)

    def test_trash_is_not_listed_nor_read_by_reps(self):
        manager = self.env.ref("base.user_root")
        self.rpc(self.demo, "crm.lead", "unlink", [self.mine.id])
        for domain in ([("trash_date", "!=", False)], [("trash_date", "=", False)],
                       ["|", ("trash_date", "!=", False), ("id", "=", self.mine.id)]):
            found = self.rpc(self.demo, "crm.lead", "search", domain,
                             context={"active_test": False})
            self.assertNotIn(self.mine.id, found, domain)
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "crm.lead", "read", [self.mine.id], ["name"])
        # The managers' Trash menu lists it.
        found = self.rpc(manager, "crm.lead", "search", [("trash_date", "!=", False)],
                         context={"active_test": False})
        self.assertIn(self.mine.id, found)
        for method in ("action_restore_from_trash", "action_delete_permanently"):
            with self.assertRaises(AccessError):
                self.rpc(self.demo, "crm.lead", method, [self.mine.id])

    def test_permanent_delete_by_a_manager_removes_the_messages(self):
        sales_manager = self.manager
        self.set_password(sales_manager, "cos-manager")
        self.mine.message_post(body="A note that must not outlive the opportunity")
        self.rpc(sales_manager, "crm.lead", "unlink", [self.mine.id])
        self.rpc(sales_manager, "crm.lead", "action_delete_permanently", [self.mine.id])
        self.env.cr.execute("SELECT count(*) FROM crm_lead WHERE id = %s", (self.mine.id,))
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        self.env.cr.execute("SELECT count(*) FROM mail_message WHERE model = 'crm.lead' "
                            "AND res_id = %s", (self.mine.id,))
        self.assertEqual(self.env.cr.fetchone()[0], 0)

    def test_manager_only_paths(self):
        reason = self.env["crm.lost.reason"].create({"name": "Too expensive"})
        before = self.lead_state(self.mine | self.mine2)
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "crm.lead", "action_close", (self.mine | self.mine2).ids,
                     False, reason.id)
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "crm.lead", "unlink", (self.mine | self.mine2).ids)
        self.assertEqual(self.lead_state(self.mine | self.mine2), before)
        configuration = [
            ("crm.probability.tag", {"name": "Lukewarm", "percentage": 30}),
            ("crm.lead.custom.field", {"name": "Referral", "field_type": "char"}),
            ("crm.track", {"name": "Rep's own track"}),
            ("crm.link.template", {"name": "Leak", "url": "https://x.example/{name}"}),
            ("crm.note.tag", {"name": "Rep's tag"}),
        ]
        for model, vals in configuration:
            count = self.env[model].search_count([])
            with self.assertRaises(AccessError, msg=model):
                self.rpc(self.demo, model, "create", vals)
            self.assertEqual(self.env[model].search_count([]), count, model)
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "crm.lead.mail.review", "search_read", [])
        # The addon's spreadsheet export, from its dialog.
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "crm.lead.export", "create", {"file_format": "csv"},
                     context={"active_model": "crm.lead", "active_ids": self.mine.ids})
        # Another user's import is not the rep's to see or undo.
        log = self.env["crm.lead.import.log"].browse()._import(
            "admin.csv", ["Opportunity ID", "Opportunity"], [(2, [self.mine.id, "Renamed"])],
            {0: "id", 1: "name"}, True, True, False)
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "crm.lead.import.log", "action_undo", log.ids)
        self.env.clear()
        self.assertEqual((log.state, self.mine.name), ("done", "Renamed"))


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
        with patch.object(type(self.Log), "with_delay", lambda self, **kw: self):
            with patch.object(type(self.Log), "_run_in_background", lambda self: None):
                queued = self.Log.sudo(self.demo)._enqueue(
                    "big.csv", b"ID,Opportunity\r\n%d,Changed\r\n" % self.mine.id,
                    {0: "id", 1: "name"}, True, True, False)
        self.env.cr.execute("UPDATE crm_lead_import_log SET options = %s WHERE id = %s", (
            json.dumps({"mapping": {"0": "id", "1": 'custom:x_cos_y"=NULL--'},
                        "update_existing": True, "overwrite": True, "skip_invalid": False}),
            queued.id))
        queued.invalidate_cache()
        with self.assertRaises(UserError):
            queued._run_in_background()
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


class TestDocumentsAndFilesOverRpc(SecurityCase):
    """Points 6, 7, 9 and 12."""

    def setUp(self):
        super().setUp()
        self.mine.write({"line_ids": [(0, 0, {"line_type": "text", "name": "Inspection",
                                              "price_unit": 300.0})]})
        self.customer.email = "buyer@acme.example.com"

    def test_send_all_refuses_foreign_attachments(self):
        secret = self.env["ir.attachment"].create({
            "name": "salaries.pdf", "datas_fname": "salaries.pdf", "datas": b"U0VDUkVU",
            "res_model": "crm.lead", "res_id": self.theirs.id})
        orphan = self.env["ir.attachment"].create({
            "name": "orphan.pdf", "datas_fname": "orphan.pdf", "datas": b"U0VDUkVU"})
        quote = self.mine.create_document("quote")
        mails = self.env["mail.mail"].search_count([])
        template = self.env.ref("sale.email_template_edi_sale")
        for attachment in (secret, orphan):
            wizard = self.rpc(self.demo, "crm.document.send.all", "create", {
                "template_id": template.id, "attachment_ids": [(6, 0, attachment.ids)]},
                context={"active_model": "sale.order", "active_ids": quote.ids})
            with self.assertRaises(AccessError):
                self.rpc(self.demo, "crm.document.send.all", "action_send", [wizard],
                         context={"active_model": "sale.order", "active_ids": quote.ids})
        self.assertEqual(self.env["mail.mail"].search_count([]), mails)

    def test_sent_documents_stay_locked(self):
        quote = self.mine.create_document("quote")
        quote.action_mark_sent()
        sent = quote.cos_sent_date
        for user in (self.demo, self.env.ref("base.user_root")):
            with self.assertRaises(AccessError):
                self.rpc(user, "sale.order", "write", quote.ids, {"cos_sent_date": False})
        self.env.clear()
        self.assertEqual(quote.cos_sent_date, sent)
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "sale.order", "create", {
                "partner_id": self.customer.id, "cos_sent_date": "2020-01-01"})

    def test_draft_invoice_is_validated_before_being_marked_sent(self):
        invoice = self.mine.create_document("invoice")
        with self.assertRaises(UserError):
            invoice.action_mark_sent()
        self.assertFalse(invoice.cos_sent_date)
        invoice.action_invoice_open()
        invoice.action_mark_sent()
        self.assertEqual(invoice.state, "open")
        self.assertTrue(invoice.cos_sent_date)

    def test_custom_field_definition_cannot_point_elsewhere(self):
        definition = self.env["crm.lead.custom.field"].create(
            {"name": "Roof type", "field_type": "char"})
        partner_field = self.env["ir.model.fields"].search(
            [("model", "=", "res.partner"), ("name", "=", "comment")])
        self.set_password(self.manager, "cos-manager")
        for vals in ({"field_name": "comment"}, {"field_id": partner_field.id}):
            with self.assertRaises(AccessError):
                self.rpc(self.manager, "crm.lead.custom.field", "write", definition.ids, vals)
        with self.assertRaises(AccessError):
            self.rpc(self.manager, "crm.lead.custom.field", "create",
                     {"name": "Sneaky", "field_type": "char", "field_id": partner_field.id})
        self.env.clear()
        self.assertEqual((definition.field_name, definition.field_id.model),
                         ("x_cos_roof_type", "crm.lead"))
        # Pointed elsewhere in the database all the same: removal and sync refuse to act.
        self.env.cr.execute("UPDATE crm_lead_custom_field SET field_id = %s WHERE id = %s",
                            (partner_field.id, definition.id))
        definition.invalidate_cache()
        self.env["crm.lead.custom.field"].clear_caches()
        with self.assertRaises(UserError):
            self.rpc(self.manager, "crm.lead.custom.field", "unlink", definition.ids)
        with self.assertRaises(UserError):
            self.rpc(self.manager, "crm.lead.custom.field", "write", definition.ids,
                     {"name": "Renamed"})
        self.assertTrue(partner_field.exists())
        self.assertNotIn("x_cos_roof_type", self.env["crm.lead.custom.field"]._field_names())

    def test_download_all_streams_and_names_are_safe(self):
        for name in ("..\\..\\evil.exe", "../up.txt", "bell\x07\nname.pdf"):
            self.env["ir.attachment"].create({
                "name": name, "datas_fname": name, "datas": base64.b64encode(b"x"),
                "res_model": "crm.lead", "res_id": self.mine.id})
        _name, handle = self.mine.sudo(self.demo)._attachments_zip()
        names = zipfile.ZipFile(handle).namelist()
        self.assertEqual(len(names), 3)
        for name in names:
            self.assertNotIn("/", name)
            self.assertNotIn("\\", name)
            self.assertNotIn("..", name)
            self.assertFalse(any(ord(char) < 32 for char in name), name)

    def test_download_all_reads_one_file_at_a_time(self):
        chunk = bytes(range(256)) * (4 * 1024 * 4)  # 4 MB each
        for index in range(8):
            self.env["ir.attachment"].create({
                "name": "scan%d.bin" % index, "datas": base64.b64encode(chunk + bytes([index])),
                "res_model": "crm.lead", "res_id": self.mine.id})
        self.mine.invalidate_cache()
        self.env["ir.attachment"].invalidate_cache()
        tracemalloc.start()
        try:
            _name, handle = self.mine.sudo(self.demo)._attachments_zip()
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertEqual(len(zipfile.ZipFile(handle).namelist()), 8)
        # 32 MB of files (43 MB in base64): the zip is built without holding them.
        self.assertLess(peak, 12 * 1024 * 1024, "peak %d bytes" % peak)


class TestMailGateway(SecurityCase):
    """Point 11."""

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].set_param("mail.catchall.domain", "crm.example.com")
        self.Thread = self.env["mail.thread"]

    def mail(self, token, sender="Someone <someone@elsewhere.example>", headers="",
             body="Hello"):
        return ("Return-Path: <x@elsewhere.example>\r\nFrom: %s\r\n"
                "To: opportunity+%s@crm.example.com\r\nSubject: Hi\r\n"
                "Message-ID: <%s-%s@elsewhere.example>\r\n%s"
                "Content-Type: text/plain\r\n\r\n%s\r\n" % (
                    sender, token, token, abs(hash(headers + body)), headers, body)).encode()

    def bounces(self, content):
        with patch.object(type(self.Thread), "_routing_create_bounce_email") as bounce:
            self.Thread.message_process(False, content)
        return bounce.call_count

    def test_sender_is_compared_whole(self):
        self.mine.email_from = "bob@x.example"
        self.assertFalse(self.mine._drop_sender_allowed("b@x.example"))
        self.assertFalse(self.mine._drop_sender_allowed("ob@x.example"))
        self.assertTrue(self.mine._drop_sender_allowed("Bob <BOB@x.example>"))

    def test_no_bounce_to_machines(self):
        self.assertEqual(self.bounces(self.mail("nosuchtoken")), 1, "a person gets one")
        for sender, headers in (
                ("Auto <someone@elsewhere.example>", "Auto-Submitted: auto-replied\r\n"),
                ("List <someone@elsewhere.example>", "Precedence: bulk\r\n"),
                ("MAILER-DAEMON@elsewhere.example", ""),
                ("Ooo <someone@elsewhere.example>", "X-Autoreply: yes\r\n")):
            self.assertEqual(self.bounces(self.mail("nosuchtoken", sender, headers)), 0,
                             (sender, headers))
        self.env["ir.config_parameter"].set_param(
            "crm_opportunity_suite.drop_unknown_sender", "bounce")
        self.assertEqual(self.bounces(self.mail(self.mine.drop_token, headers=(
            "Auto-Submitted: auto-replied\r\n"))), 0)

    def test_review_keeps_no_huge_mail(self):
        self.env["ir.config_parameter"].set_param("crm_opportunity_suite.review_max_bytes",
                                                  "2000")
        Review = self.env["crm.lead.mail.review"]
        self.Thread.message_process(False, self.mail(self.mine.drop_token, body="small"))
        self.assertEqual(Review.search_count([("lead_id", "=", self.mine.id)]), 1)
        self.assertEqual(self.bounces(self.mail(self.mine.drop_token, body="x" * 5000)), 1)
        self.assertEqual(Review.search_count([("lead_id", "=", self.mine.id)]), 1)

    def test_tokens_are_long_and_old_ones_replaced(self):
        self.assertGreaterEqual(len(self.mine.drop_token), 20)  # 32 symbols: 100 bits
        self.env.cr.execute("UPDATE crm_lead SET drop_token = 'abc123' WHERE id = %s",
                            (self.mine.id,))
        self.Lead.init()
        self.mine.invalidate_cache()
        self.assertEqual(len(self.mine.drop_token), 20)
        self.assertNotEqual(self.mine.drop_token, self.mine2.drop_token)
