from unittest.mock import patch

import odoo
from odoo.exceptions import AccessError, UserError
from odoo.tests.common import get_db_name

from .common import SuiteCase


class TestLifecycle(SuiteCase):

    def setUp(self):
        super().setUp()
        self.reason = self.env["crm.lost.reason"].create({"name": "Too expensive"})
        self.terms = self.env.ref("account.account_payment_term_15days")
        self.euro = self.env.ref("base.EUR")
        self.tag = self.env["crm.lead.tag"].create({"name": "Roofing"})
        self.lead = self.new_opportunity(
            name="Roof Alpha", contact_id=self.contact.id, stage_id=self.stage_proposal.id,
            payment_term_id=self.terms.id, currency_id=self.euro.id,
            tag_ids=[(6, 0, self.tag.ids)], probability_tag_id=self.hot.id, user_id=self.rep.id,
            line_ids=[(0, 0, {"line_type": "text", "name": "Visit", "quantity": 2, "price_unit": 50.0}),
                      (0, 0, {"line_type": "text", "name": "Report", "quantity": 1, "price_unit": 120.0,
                              "discount": 10})])
        self.env["mail.activity"].create({
            "res_model_id": self.env["ir.model"]._get("crm.lead").id, "res_id": self.lead.id,
            "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
            "summary": "Call back", "user_id": self.rep.id})
        self.lead.message_post(body="A note to keep")

    def test_duplicate_copies_the_listed_fields_only(self):
        wizard = self.env["crm.lead.duplicate"].with_context(
            active_model="crm.lead", active_ids=self.lead.ids).create({"name": "Roof Beta"})
        action = wizard.action_duplicate()
        copy = self.Lead.browse(action["res_id"])
        self.assertNotEqual(copy, self.lead)
        self.assertEqual(
            (copy.name, copy.partner_id, copy.contact_id, copy.team_id, copy.stage_id,
             copy.payment_term_id, copy.currency_id, copy.tag_ids, copy.probability_tag_id,
             copy.probability),
            ("Roof Beta", self.customer, self.contact, self.team, self.stage_proposal,
             self.terms, self.euro, self.tag, self.hot, 75.0))
        self.assertEqual(copy.line_ids.mapped("name"), ["Visit", "Report"])
        self.assertEqual(copy.line_ids.mapped("price_subtotal"), [100.0, 108.0])
        self.assertEqual(copy.planned_revenue, self.lead.planned_revenue)
        self.assertNotEqual(copy.reference, self.lead.reference)
        self.assertFalse(copy.activity_ids)
        bodies = copy.message_ids.mapped("body")
        self.assertFalse(any("A note to keep" in body for body in bodies))
        self.assertTrue(any("Copied from %s" % self.lead.reference in body for body in bodies))
        with self.assertRaisesRegex(UserError, "one opportunity"):
            self.env["crm.lead.duplicate"].with_context(
                active_model="crm.lead", active_ids=(self.lead | copy).ids).create(
                {"name": "Two"})

    def test_reopen_goes_back_to_the_stage_before_closing(self):
        self.lead.action_set_lost()
        self.assertEqual((self.lead.status, self.lead.active), ("lost", False))
        self.lead.action_reopen()
        self.assertEqual((self.lead.status, self.lead.active, self.lead.stage_id),
                         ("open", True, self.stage_proposal))
        self.assertIn("Reopened at the stage S-Proposal", self.lead.message_ids[0].body)
        self.assertIn(self.lead, self.Lead.search([("stage_id", "=", self.stage_proposal.id)]))
        self.lead.action_set_won()
        self.assertEqual(self.lead.stage_id, self.stage_won)
        self.lead.action_reopen()
        self.assertEqual((self.lead.status, self.lead.stage_id, self.lead.probability),
                         ("open", self.stage_proposal, 75.0))
        with self.assertRaisesRegex(UserError, "Only won or lost"):
            self.lead.action_reopen()

    def test_bulk_close_as_admin(self):
        others = self.new_opportunity(name="B") | self.new_opportunity(name="C")
        leads = self.lead | others
        wizard = self.env["crm.lead.bulk.close"].sudo(self.manager).with_context(
            active_model="crm.lead", active_ids=leads.ids,
            active_domain=[("id", "in", leads.ids)]).create(
            {"outcome": "lost", "lost_reason_id": self.reason.id})
        self.assertEqual((wizard.selected_count, wizard.domain_count), (3, 3))
        wizard.action_close()
        leads = leads.with_context(active_test=False)
        self.assertEqual(set(leads.mapped("status")), {"lost"})
        self.assertEqual(leads.mapped("lost_reason"), self.reason)
        for lead in leads:
            self.assertIn("Closed as lost (bulk close): Too expensive", lead.message_ids[0].body)
        self.assertEqual(leads.mapped("stage_before_close_id"),
                         self.stage_proposal | self.stage_new)
        with self.assertRaisesRegex(UserError, "lost reason"):
            leads.sudo(self.manager).action_close(won=False)
        self.assertEqual(leads.sudo(self.manager).action_close(won=True), 3)
        self.assertEqual(set(leads.mapped("status")), {"won"})

    def test_bulk_close_refused_for_a_rep(self):
        with self.assertRaises(AccessError):
            self.lead.sudo(self.rep).action_close(won=False, lost_reason=self.reason)
        self.assertEqual(self.lead.status, "open")

    def test_bulk_close_and_bulk_delete_refused_over_rpc(self):
        demo = self.env.ref("base.user_demo")
        self.assertFalse(demo.has_group("sales_team.group_sale_manager"))
        leads = self.env["crm.lead"].search([("user_id", "=", demo.id)], limit=2)
        self.assertEqual(len(leads), 2)
        with self.assertRaises(AccessError):
            odoo.service.model.dispatch("execute_kw", [
                get_db_name(), demo.id, "demo", "crm.lead", "action_close",
                [leads.ids, False, self.env.ref("crm.lost_reason_1").id]])
        with self.assertRaises(AccessError):
            odoo.service.model.dispatch("execute_kw", [
                get_db_name(), demo.id, "demo", "crm.lead", "unlink", [leads.ids]])

    def test_bulk_close_fails_halfway_nothing_changes(self):
        leads = self.lead | self.new_opportunity(name="B")
        before = [(lead.status, lead.active, lead.stage_id, lead.probability) for lead in leads]
        with patch.object(type(self.Lead), "_post_bulk_notes", side_effect=RuntimeError("boom")):
            with self.assertRaises(RuntimeError):
                leads.action_close(won=False, lost_reason=self.reason)
        leads.invalidate_cache()
        self.assertEqual([(lead.status, lead.active, lead.stage_id, lead.probability)
                          for lead in leads.with_context(active_test=False)], before)
