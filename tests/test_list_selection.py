import base64
import csv
import io
import tempfile
from unittest.mock import patch

import odoo
from odoo.exceptions import AccessError

from .common import SuiteCase

PAGE = 80  # the rows of one page of an Odoo 11 list, all its header checkbox ticks


class TestListSelection(SuiteCase):
    """The list actions on more records than a page: the rows ticked, or all those of the
    list's current filter (the active_domain that Odoo 11's list sends with active_ids)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Lead = cls.Lead.with_context(mail_create_nolog=True, tracking_disable=True)
        cls.leads = Lead.browse()
        for index in range(85):
            cls.leads |= Lead.create({
                "name": "Bulk %03d" % index, "type": "opportunity", "team_id": cls.team.id,
                "stage_id": cls.stage_new.id, "user_id": cls.rep.id})
        cls.domain = [("name", "=like", "Bulk %")]
        cls.reason = cls.env["crm.lost.reason"].create({"name": "Gone quiet"})

    def wizard(self, model, user, ids, values=None, domain=None, active_model="crm.lead"):
        """The dialog as the list's Action menu opens it: a page of ticked rows and the
        list's domain in the context."""
        context = {"active_model": active_model, "active_ids": ids,
                   "active_id": ids[0] if ids else False,
                   "active_domain": self.domain if domain is None else domain}
        return self.env[model].sudo(user).with_context(**context).create(values or {})

    def test_dialog_offers_all_records_of_the_filter(self):
        wizard = self.wizard("crm.lead.export", self.env.user, self.leads[:PAGE].ids)
        self.assertEqual((wizard.selected_count, wizard.domain_count, wizard.use_domain),
                         (PAGE, 85, False))
        self.assertEqual(wizard.domain_label, "All 85 records of the current filter")
        # A rep counts only what the record rules let them see.
        foreign = self.new_opportunity(name="Bulk foreign", user_id=self.other_rep.id)
        wizard = self.wizard("crm.lead.bulk.close", self.rep, self.leads[:PAGE].ids)
        self.assertEqual(wizard.domain_count, 85)
        wizard = self.wizard("crm.lead.bulk.close", self.manager, self.leads[:PAGE].ids)
        self.assertEqual(wizard.domain_count, 86)
        self.assertIn(foreign, self.Lead.sudo(self.manager).search(self.domain))

    def export_rows(self, use_domain):
        wizard = self.wizard("crm.lead.export", self.env.user, self.leads[:PAGE].ids,
                             {"file_format": "csv", "use_domain": use_domain})
        wizard.action_export()
        content = base64.b64decode(wizard.file_data).decode("utf-8-sig")
        return list(csv.reader(io.StringIO(content)))[1:]

    def test_export_the_page_or_the_whole_filter(self):
        self.assertEqual(len(self.export_rows(False)), PAGE)
        rows = self.export_rows(True)
        self.assertEqual(sorted(int(row[0]) for row in rows), sorted(self.leads.ids))

    def test_bulk_close_the_whole_filter(self):
        wizard = self.wizard("crm.lead.bulk.close", self.manager, self.leads[:PAGE].ids, {
            "outcome": "lost", "lost_reason_id": self.reason.id, "use_domain": True})
        self.assertEqual(wizard.action_close()["infos"]["closed"], 85)
        leads = self.leads.with_context(active_test=False)
        self.assertEqual(set(leads.mapped("status")), {"lost"})
        self.assertEqual(leads.mapped("lost_reason"), self.reason)

    def test_bulk_delete_the_whole_filter(self):
        wizard = self.wizard("crm.lead.bulk.delete", self.manager, self.leads[:PAGE].ids,
                             {"use_domain": True})
        self.assertEqual(wizard.action_delete()["infos"]["deleted"], 85)
        self.assertFalse(self.Lead.search(self.domain))
        self.assertTrue(all(self.leads.with_context(active_test=False).mapped("trash_date")))

    def test_rep_cannot_close_or_delete_several_through_the_filter(self):
        for model, values, method in (
                ("crm.lead.bulk.close", {"outcome": "won"}, "action_close"),
                ("crm.lead.bulk.delete", {}, "action_delete")):
            values = dict(values, use_domain=True)
            wizard = self.wizard(model, self.rep, self.leads[:1].ids, values)
            with self.assertRaises(AccessError, msg=model):
                getattr(wizard, method)()
        self.env.clear()
        leads = self.leads.with_context(active_test=False)
        self.assertEqual(set(leads.mapped("status")), {"open"})
        self.assertFalse(any(leads.mapped("trash_date")))
        # One at a time is still a rep's right.
        wizard = self.wizard("crm.lead.bulk.delete", self.rep, self.leads[:1].ids)
        wizard.action_delete()
        self.assertTrue(self.leads[0].with_context(active_test=False).trash_date)

    def test_track_on_the_whole_filter_with_the_user_rights(self):
        track = self.env["crm.track"].create({"name": "Follow-up", "task_ids": [
            (0, 0, {"sequence": 1, "activity_type_id": self.env.ref(
                "mail.mail_activity_data_call").id, "summary": "Call", "offset_days": 0})]})
        foreign = self.new_opportunity(name="Bulk foreign", user_id=self.other_rep.id)
        wizard = self.wizard("crm.lead.track.apply", self.rep, self.leads[:PAGE].ids, {
            "track_id": track.id, "end_date": "2027-03-01", "use_domain": True})
        self.assertEqual((wizard.lead_count, wizard.domain_count), (PAGE, 85))
        wizard.action_apply()
        applied = self.env["crm.lead.track"].search([("track_id", "=", track.id)])
        self.assertEqual(applied.mapped("lead_id"), self.leads, "not the foreign one")
        self.assertNotIn(foreign, applied.mapped("lead_id"))

    def test_send_all_the_whole_filter(self):
        quiet = self.env["res.partner"].create({"name": "No mail Ltd"})
        Order = self.env["sale.order"].with_context(mail_create_nolog=True,
                                                    tracking_disable=True)
        orders = Order.browse()
        for index in range(85):
            orders |= Order.create({
                "partner_id": (self.customer if index < 3 else quiet).id,
                "client_order_ref": "BULK-SEND"})
        self.customer.email = "buyer@acme.example.com"
        # Sent by the request itself (above the threshold, a job sends them: see
        # test_background_jobs).
        self.env["ir.config_parameter"].set_param(
            "crm_opportunity_suite.background_documents", "100")
        wizard = self.wizard("crm.document.send.all", self.env.user, orders[:PAGE].ids,
                             {"use_domain": True},
                             domain=[("client_order_ref", "=", "BULK-SEND")],
                             active_model="sale.order")
        self.assertEqual((wizard.selected_count, wizard.domain_count), (PAGE, 85))
        with tempfile.TemporaryDirectory() as directory, patch.dict(
                odoo.tools.config.options, {"test_report_directory": directory}):
            wizard.action_send()
        self.assertEqual((wizard.sent_count, wizard.skipped_count), (3, 82))
