"""Stale opportunities: open ones without activity for longer than their stage's delay."""
from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError

from .common import RpcCase, SuiteCase


class TestStale(SuiteCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage_new.stale_days = 10

    def age(self, leads, days, hours=0):
        """Their last activity that long ago."""
        when = datetime.utcnow() - timedelta(days=days, hours=hours)
        self.env.cr.execute("UPDATE crm_lead SET date_last_activity = %s WHERE id IN %s",
                            (fields.Datetime.to_string(when), tuple(leads.ids)))
        leads.invalidate_cache(["date_last_activity"])

    def stale_ids(self, domain=None):
        return set(self.Lead.with_context(active_test=False).search(
            [("is_stale", "=", True)] + (domain or [])).ids)

    def assertStale(self, lead, stale=True):
        lead.invalidate_cache()
        self.assertEqual(lead.is_stale, stale)
        self.assertEqual(lead.id in self.stale_ids(), stale, "the search agrees")
        not_stale = set(self.Lead.with_context(active_test=False).search(
            [("is_stale", "=", False), ("id", "=", lead.id)]).ids)
        self.assertEqual(lead.id in not_stale, not stale)

    def test_stale_around_the_delay(self):
        lead = self.new_opportunity()
        self.assertTrue(lead.date_last_activity, "creation is activity")
        self.assertStale(lead, False)
        self.age(lead, 9, 23)
        self.assertStale(lead, False)
        self.age(lead, 10, 1)
        self.assertStale(lead, True)
        self.assertIn(lead.id, set(self.Lead.search([("is_stale", "!=", False)]).ids))

    def test_no_delay_means_never(self):
        lead = self.new_opportunity(stage_id=self.stage_proposal.id)
        self.age(lead, 400)
        self.assertStale(lead, False)
        self.stage_proposal.stale_days = 30
        self.assertStale(lead, True)
        self.stage_proposal.stale_days = 0
        self.assertStale(lead, False)

    def test_only_open_opportunities_are_stale(self):
        won, lost, hold, lead_type, archived = [self.new_opportunity() for _i in range(5)]
        won.action_set_won()
        lost.action_set_lost()
        hold.action_put_on_hold()
        lead_type.type = "lead"
        archived.active = False
        # Back in the stage with a delay (won moved it to the won stage), long ago.
        self.env.cr.execute("UPDATE crm_lead SET stage_id = %s WHERE id = %s",
                            (self.stage_new.id, won.id))
        everything = won | lost | hold | lead_type | archived
        self.age(everything, 60)
        everything.invalidate_cache()
        for lead in everything:
            self.assertStale(lead, False)
        self.assertFalse(self.stale_ids([("id", "in", everything.ids)]))
        hold.action_resume()
        self.age(hold, 60)
        self.assertStale(hold, True)

    def test_each_activity_resets_it(self):
        note_type = self.env.ref("mail.mail_activity_data_call")
        actions = {
            "message": lambda l: l.message_post(body="Called them", message_type="comment",
                                                subtype="mail.mt_comment"),
            "note": lambda l: l.add_note("<p>Visit planned</p>"),
            "mail received": lambda l: l.message_post(
                body="Hello", message_type="email", email_from="buyer@example.com"),
            "activity logged": lambda l: l.log_activity(note_type, "Call"),
            "activity done": lambda l: self.env["mail.activity"].create({
                "res_model_id": self.env["ir.model"]._get("crm.lead").id, "res_id": l.id,
                "activity_type_id": note_type.id, "user_id": self.env.uid,
                "date_deadline": fields.Date.today()}).action_feedback("Done"),
            "stage change": lambda l: l.write({"stage_id": self.stage_proposal.id}),
        }
        self.stage_proposal.stale_days = 10
        for name, action in actions.items():
            lead = self.new_opportunity(name=name)
            self.age(lead, 30)
            self.assertStale(lead, True)
            before = datetime.utcnow() - timedelta(seconds=5)
            action(lead)
            lead.invalidate_cache()
            self.assertGreater(fields.Datetime.from_string(lead.date_last_activity), before,
                               name)
            self.assertStale(lead, False)

    def test_field_changes_and_scheduling_are_no_activity(self):
        lead = self.new_opportunity()
        self.age(lead, 30)
        tracked = lead.message_ids.filtered("tracking_value_ids")
        lead.write({"planned_revenue": 1234.0, "user_id": self.rep.id})  # tracked fields
        lead.invalidate_cache()
        self.assertGreater(lead.message_ids.filtered("tracking_value_ids"), tracked,
                           "a line listing the changed fields")
        self.env["mail.activity"].create({
            "res_model_id": self.env["ir.model"]._get("crm.lead").id, "res_id": lead.id,
            "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
            "user_id": self.env.uid, "date_deadline": fields.Date.today()})
        self.assertStale(lead, True)

    def test_import_stage_change_resets_it(self):
        lead = self.new_opportunity()
        self.age(lead, 30)
        engine = self.env["crm.lead.import.engine"]
        engine._sql_update(self.Lead, {"stage_id": [(lead.id, self.stage_proposal.id)]})
        lead.invalidate_cache()
        self.assertStale(lead, False)

    def test_search_refuses_other_operators(self):
        with self.assertRaises(UserError):
            self.Lead.search([("is_stale", "in", [True])])

    def test_stale_days_cannot_be_negative(self):
        with self.assertRaises(ValidationError):
            self.stage_proposal.stale_days = -1

    def test_leads_of_before_the_install_get_their_last_activity(self):
        lead = self.new_opportunity()
        lead.message_post(body="Old note", subtype="mail.mt_note")
        self.env.cr.execute("UPDATE mail_message SET date = '2020-05-01 10:00:00' "
                            "WHERE model = 'crm.lead' AND res_id = %s", (lead.id,))
        self.env.cr.execute("UPDATE crm_lead SET date_last_activity = NULL, "
                            "create_date = '2020-01-01', date_last_stage_update = '2020-02-01' "
                            "WHERE id = %s", (lead.id,))
        self.Lead.init()
        lead.invalidate_cache()
        self.assertEqual(lead.date_last_activity, "2020-05-01 10:00:00")

    def test_views_show_it(self):
        search = self.Lead.fields_view_get(
            self.env.ref("crm.view_crm_case_opportunities_filter").id, "search")["arch"]
        self.assertIn("is_stale", search)
        self.assertIn('name="stale"', search)
        for view, kind in (("crm.crm_case_kanban_view_leads", "kanban"),
                           ("crm.crm_case_form_view_oppor", "form")):
            arch = self.Lead.fields_view_get(self.env.ref(view).id, kind)["arch"]
            self.assertIn("o_cos_stale", arch, view)
        stage_form = self.env["crm.stage"].fields_view_get(
            self.env.ref("crm.crm_stage_form").id, "form")["arch"]
        self.assertIn('name="stale_days"', stage_form)

    def test_demo_data_has_a_stale_opportunity(self):
        shelving = self.env.ref("crm_opportunity_suite.lead_shelving_renewal")
        on_hold = self.env.ref("crm_opportunity_suite.lead_maintenance_contract")
        self.assertTrue(0 < shelving.stage_id.stale_days < 25,
                        "demo: 14 days (the browser check sets 10 or 12)")
        self.assertTrue(shelving.is_stale)
        self.assertEqual(on_hold.stage_id, shelving.stage_id)
        self.assertFalse(on_hold.is_stale, "on hold: never stale")


class TestStaleOverRpc(RpcCase):

    def test_last_activity_is_not_writable(self):
        self.team.member_ids |= self.demo
        lead = self.new_opportunity(user_id=self.demo.id)
        before = lead.date_last_activity
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "crm.lead", "write", [lead.id],
                     {"date_last_activity": "2099-01-01 00:00:00"})
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "crm.lead", "create", {
                "name": "Forever fresh", "type": "opportunity",
                "date_last_activity": "2099-01-01 00:00:00"})
        # Nor through a default of the context.
        new_id = self.rpc(self.demo, "crm.lead", "create", {
            "name": "Fresh", "type": "opportunity", "team_id": self.team.id},
            context={"default_date_last_activity": "2099-01-01 00:00:00"})
        self.assertLess(self.Lead.browse(new_id).date_last_activity, "2099")
        self.assertEqual(lead.date_last_activity, before)
        # The chatter's "Log note" over RPC: an id comes back, and it is activity.
        self.stage_new.stale_days = 5
        self.env.cr.execute("UPDATE crm_lead SET date_last_activity = now() - interval "
                            "'9 days' WHERE id = %s", (lead.id,))
        self.assertIn(lead.id, self.rpc(self.demo, "crm.lead", "search",
                                        [("is_stale", "=", True)]))
        message_id = self.rpc(self.demo, "crm.lead", "message_post", [lead.id],
                              body="Called back", message_type="comment",
                              subtype="mail.mt_note")
        self.assertIsInstance(message_id, int)
        self.assertNotIn(lead.id, self.rpc(self.demo, "crm.lead", "search",
                                           [("is_stale", "=", True)]))
