from psycopg2 import IntegrityError

from odoo.exceptions import AccessError
from odoo.tools import mute_logger

from .common import SuiteCase


class TestTrash(SuiteCase):

    def setUp(self):
        super().setUp()
        self.lead = self.new_opportunity(
            name="Roof Trashed", user_id=self.rep.id,
            line_ids=[(0, 0, {"line_type": "text", "name": "Visit", "quantity": 1, "price_unit": 80.0})])
        self.activity = self.env["mail.activity"].create({
            "res_model_id": self.env["ir.model"]._get("crm.lead").id, "res_id": self.lead.id,
            "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
            "summary": "Call back", "user_id": self.rep.id})
        self.lead.message_post(body="Kept message")
        self.log_call(self.lead)
        self.kept = self.new_opportunity(name="Roof Kept", user_id=self.rep.id)
        self.log_call(self.kept)

    def log_call(self, lead):
        """A done activity: what crm's activity report counts."""
        self.env["mail.activity"].create({
            "res_model_id": self.env["ir.model"]._get("crm.lead").id, "res_id": lead.id,
            "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
            "summary": "Logged call", "user_id": self.rep.id}).action_feedback("Done")

    def visible_everywhere(self, lead):
        Lead = self.Lead.with_context(active_test=False)
        found = {
            "search": lead in Lead.search([("team_id", "=", self.team.id)]),
            "count": Lead.search_count([("id", "=", lead.id)]) == 1,
            "name_search": lead.id in [i for i, _n in Lead.name_search(lead.name)],
            "read_group": sum(group["team_id_count"] for group in Lead.read_group(
                [("id", "=", lead.id)], ["team_id"], ["team_id"])) == 1,
            "opportunity report": bool(self.env["crm.opportunity.report"].with_context(
                active_test=False).search([("id", "=", lead.id)])),
            "activity report": bool(self.env["crm.activity.report"].with_context(
                active_test=False).search([("lead_id", "=", lead.id)])),
        }
        return found

    def test_rep_deletes_one_to_the_trash_hidden_everywhere(self):
        self.assertEqual(set(self.visible_everywhere(self.lead).values()), {True},
                         self.visible_everywhere(self.lead))
        self.lead.sudo(self.rep).unlink()
        self.assertTrue(self.lead.exists(), "moved to the trash, not destroyed")
        self.assertEqual(set(self.visible_everywhere(self.lead).values()), {False},
                         self.visible_everywhere(self.lead))
        self.assertEqual(set(self.visible_everywhere(self.kept).values()), {True})
        trash = self.Lead.with_context(active_test=False).search([("trash_date", "!=", False)])
        self.assertIn(self.lead, trash)
        self.assertEqual(self.lead.trashed_by_id, self.rep)

    def test_trashed_activities_leave_the_activity_counter(self):
        def lead_counts():
            entries = [entry for entry in self.env["res.users"].sudo(
                self.rep).activity_user_count() if entry["model"] == "crm.lead"]
            return entries and (entries[0]["today_count"], entries[0]["total_count"])

        self.assertEqual(lead_counts(), (1, 1), "the call due today")
        self.lead.sudo(self.rep).unlink()
        self.assertEqual(lead_counts(), [], "no opportunity line left in the top bar")
        self.assertTrue(self.activity.exists(), "kept for a restore")
        self.env["mail.activity"].create({
            "res_model_id": self.env["ir.model"]._get("crm.lead").id, "res_id": self.kept.id,
            "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
            "summary": "Late call", "date_deadline": "2020-01-01", "user_id": self.rep.id})
        self.assertEqual(lead_counts(), (0, 1), "the late call of the kept one only")
        self.lead.sudo(self.manager).action_restore_from_trash()
        self.assertEqual(lead_counts(), (1, 2))

    def test_bulk_delete_refused_for_a_rep_allowed_for_a_manager(self):
        with self.assertRaises(AccessError):
            (self.lead | self.kept).sudo(self.rep).unlink()
        self.assertFalse(self.lead.trash_date)
        (self.lead | self.kept).sudo(self.manager).unlink()
        self.assertTrue(self.lead.trash_date and self.kept.trash_date)

    def test_restore_keeps_everything(self):
        self.lead.unlink()
        with self.assertRaises(AccessError):
            self.lead.sudo(self.rep).action_restore_from_trash()
        self.lead.sudo(self.manager).action_restore_from_trash()
        self.assertFalse(self.lead.trash_date)
        self.assertEqual((self.lead.active, self.lead.status), (True, "open"))
        self.assertIn(self.lead, self.Lead.search([("id", "=", self.lead.id)]))
        self.assertEqual(self.lead.line_ids.mapped("name"), ["Visit"])
        self.assertEqual(self.lead.activity_ids, self.activity)
        self.assertTrue(any("Kept message" in body for body in self.lead.message_ids.mapped(
            "body")))
        self.assertIn("Restored from the trash", self.lead.message_ids[0].body)

    def test_restore_a_lost_opportunity_keeps_it_lost(self):
        self.kept.action_set_lost()
        self.kept.unlink()
        self.kept.sudo(self.manager).action_restore_from_trash()
        self.assertEqual((self.kept.active, self.kept.status, self.kept.trash_date),
                         (False, "lost", False))

    def test_trash_hidden_from_searches_of_every_kind(self):
        """Searches of active opportunities rely on the trash's being inactive; the others
        (archived included, or an explicit active term) check the trash date; a rep never
        sees the trash, even asking for archived opportunities."""
        lost = self.new_opportunity(name="Roof Lost", user_id=self.rep.id)
        lost.action_set_lost()
        self.lead.sudo(self.rep).unlink()
        self.assertFalse(self.lead.active)
        Lead = self.Lead.sudo(self.manager)
        domain = [("team_id", "=", self.team.id)]
        searches = {
            "active ones": Lead.search(domain),
            "archived included": Lead.with_context(active_test=False).search(domain),
            "active term": Lead.search(domain + [("active", "in", [True, False])]),
            "inactive term": Lead.search(domain + [("active", "=", False)]),
            "rep, archived included": self.Lead.sudo(self.rep).with_context(
                active_test=False).search(domain + [("trash_date", "!=", "2000-01-01")]),
        }
        for name, found in searches.items():
            self.assertNotIn(self.lead, found, name)
        self.assertIn(self.kept, searches["active ones"])
        self.assertIn(lost, searches["archived included"] & searches["inactive term"])
        self.assertEqual(Lead.with_context(active_test=False).search(
            [("trash_date", "!=", False)]) & self.lead, self.lead, "the Trash menu")
        self.assertEqual(Lead.with_context(active_test=False).search_count(
            domain + [("id", "=", self.lead.id)]), 0)

    def test_rep_searches_of_active_ones_leave_the_trash_date_unread(self):
        """A rep's search of active opportunities only cannot find the trash (none of it is
        active): the trash rule's condition is left out of its SQL, the other rules are kept;
        any other read (archived included, by id, the write check) keeps the whole rule."""
        theirs = self.new_opportunity(name="Roof Theirs", user_id=self.other_rep.id)
        self.lead.sudo(self.rep).unlink()
        Lead = self.Lead.sudo(self.rep)

        def where(model, domain):
            query = model._where_calc(domain)
            model._apply_ir_rules(query, "read")
            return query.get_sql()[1]

        domain = [("team_id", "=", self.team.id)]
        active_where = where(Lead, domain)
        self.assertNotIn("trash_date", active_where)
        self.assertIn('"crm_lead"."user_id"', active_where, "the rep's own rule is kept")
        # Archived ones included: the trash left out by the trash's ids, the trash date
        # unread (_search_is_in_trash).
        for model, archived_domain in ((Lead.with_context(active_test=False), domain),
                                       (Lead, domain + [("active", "in", [True, False])])):
            archived_where = where(model, archived_domain)
            self.assertNotIn('"crm_lead"."trash_date"', archived_where)
            # Once: the trash rule's own condition is then true for every row found.
            self.assertEqual(archived_where.count('"crm_lead"."id" not in (SELECT trashed.id'),
                             1)
            self.assertIn('"crm_lead"."user_id"', archived_where, "the rep's own rule is kept")
        self.assertIn("trash_date", " ".join(self.env["ir.rule"].sudo(self.rep).domain_get(
            "crm.lead", "read")[0]), "a record read by id keeps the rule")
        # What the rep finds: their own, not another rep's, never the trash.
        found = Lead.search(domain)
        self.assertIn(self.kept, found)
        self.assertFalse(found & (theirs | self.lead))
        self.assertEqual(Lead.search_count(domain + [("id", "in", (theirs | self.lead).ids)]), 0)
        groups = Lead.read_group(domain, ["team_id"], ["team_id"])
        self.assertEqual(sum(group["team_id_count"] for group in groups), len(found))
        with self.assertRaises(AccessError):
            self.lead.sudo(self.rep).read(["name"])
        # A manager's searches are not changed: no trash rule to leave out.
        self.assertIn(theirs, self.Lead.sudo(self.manager).search(domain))
        # A rule negating the term: left as it is (the rep's opportunities with no
        # salesperson are not in the trash, so this rule keeps those assigned only).
        self.env["ir.rule"].create({
            "name": "Assigned ones only", "model_id": self.env.ref("crm.model_crm_lead").id,
            "domain_force": "['|', ('user_id', '!=', False), '!', ('trash_date', '=', False)]"})
        unassigned = self.new_opportunity(name="Roof Nobody's", user_id=False)
        found = Lead.search(domain)
        self.assertIn(self.kept, found)
        self.assertNotIn(unassigned, found)
        self.assertIn(unassigned, self.Lead.search(domain))
        # Only where the database enforces that nothing in the trash is active.
        self.assertTrue(type(self.Lead)._trash_check_in_force)
        type(self.Lead)._trash_check_in_force = False
        try:
            self.assertIn('"crm_lead"."trash_date" IS NULL', where(Lead, domain))
            self.assertIn('"crm_lead"."trash_date" IS NULL', where(self.Lead, domain))
        finally:
            type(self.Lead)._trash_check_in_force = True

    def test_nothing_in_the_trash_is_active(self):
        """The searches rely on it: a check of the table refuses an active opportunity in
        the trash (unarchiving or winning it there); restoring it is the way back."""
        self.lead.sudo(self.rep).unlink()
        for action in (lambda lead: lead.toggle_active(),
                       lambda lead: lead.write({"status": "won"})):
            with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), \
                    self.env.cr.savepoint():
                action(self.lead.sudo(self.manager))
            self.lead.invalidate_cache()
            self.assertEqual((self.lead.active, bool(self.lead.trash_date)), (False, True))
        self.lead.sudo(self.manager).action_restore_from_trash()
        self.assertEqual((self.lead.active, self.lead.trash_date), (True, False))

    def test_purge_after_the_configured_days(self):
        self.lead.unlink()
        self.kept.unlink()
        self.env.cr.execute("UPDATE crm_lead SET trash_date = (now() AT TIME ZONE 'UTC') - "
                            "interval '31 days' WHERE id = %s", (self.lead.id,))
        self.env.cr.execute("UPDATE crm_lead SET trash_date = (now() AT TIME ZONE 'UTC') - "
                            "interval '29 days' WHERE id = %s", (self.kept.id,))
        self.Lead.invalidate_cache()
        cron = self.env.ref("crm_opportunity_suite.ir_cron_purge_trash")
        cron.method_direct_trigger()
        self.assertFalse(self.lead.exists())
        self.assertTrue(self.kept.exists())
        self.env["ir.config_parameter"].set_param("crm_opportunity_suite.trash_days", "20")
        cron.method_direct_trigger()
        self.assertFalse(self.kept.exists())

    def test_delete_permanently_from_the_trash(self):
        self.lead.unlink()
        with self.assertRaises(AccessError):
            self.lead.sudo(self.rep).action_delete_permanently()
        self.lead.sudo(self.manager).action_delete_permanently()
        self.assertFalse(self.lead.exists())
        self.kept.unlink()
        self.kept.sudo(self.manager).unlink()  # deleting from the trash: for good
        self.assertFalse(self.kept.exists())
