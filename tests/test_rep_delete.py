"""A rep deletes one opportunity from the screen (issue 17, point 1): the views offer Delete,
one goes to the trash with a chatter line, several at once, someone else's, the trash and the
purge stay refused. Over Odoo's RPC dispatcher, as the demo rep."""
from lxml import etree

from odoo.exceptions import AccessError

from .common import SecurityCase


class TestRepDelete(SecurityCase):

    def delete_flag(self, user, view_type):
        arch = self.rpc(user, "crm.lead", "fields_view_get", view_type=view_type)["arch"]
        return etree.fromstring(arch).get("delete")

    def test_the_views_offer_delete_to_a_rep(self):
        # The web client hides Delete (form's Action menu, list's, kanban card) when the
        # view says delete="false", which Odoo writes when the user lacks the unlink right.
        for view_type in ("form", "tree", "kanban"):
            self.assertNotEqual(self.delete_flag(self.demo, view_type), "false", view_type)
        # A plain employee (reads the opportunities of their missions) still gets no Delete.
        self.assertEqual(self.delete_flag(self.employee, "form"), "false")

    def test_rep_deletes_one_to_the_trash(self):
        self.assertIs(self.rpc(self.demo, "crm.lead", "unlink", [self.mine.id]), True)
        self.env.cr.execute("SELECT trash_date IS NOT NULL, trashed_by_id, active FROM crm_lead "
                            "WHERE id = %s", (self.mine.id,))
        self.assertEqual(self.env.cr.fetchone(), (True, self.demo.id, False),
                         "in the trash, not deleted")
        self.assertNotIn(self.mine.id, self.rpc(self.demo, "crm.lead", "search", []))
        body = self.mine.with_context(active_test=False).message_ids[0].body
        self.assertIn("Moved to the trash by %s" % self.demo.name, body)
        # The manager finds it in the Trash and restores it.
        manager = self.env.ref("base.user_root")
        self.assertIn(self.mine.id, self.rpc(manager, "crm.lead", "search",
                                             [("trash_date", "!=", False)],
                                             context={"active_test": False}))
        self.rpc(manager, "crm.lead", "action_restore_from_trash", [self.mine.id])
        self.assertIn(self.mine.id, self.rpc(self.demo, "crm.lead", "search", []))

    def test_several_at_once_refused_with_a_translated_message(self):
        before = self.lead_state(self.mine | self.mine2)
        with self.assertRaisesRegex(AccessError, "Only sales managers may delete several"):
            self.rpc(self.demo, "crm.lead", "unlink", (self.mine | self.mine2).ids)
        with self.assertRaisesRegex(AccessError, "Seuls les responsables commerciaux"):
            self.rpc(self.demo, "crm.lead", "unlink", (self.mine | self.mine2).ids,
                     context={"lang": "fr_FR"})
        # Nor through the bulk delete dialog, on the ticked rows or the whole filter.
        wizard = self.rpc(self.demo, "crm.lead.bulk.delete", "create", {"use_domain": True},
                          context={"active_model": "crm.lead",
                                   "active_ids": (self.mine | self.mine2).ids,
                                   "active_domain": [("user_id", "=", self.demo.id)]})
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "crm.lead.bulk.delete", "action_delete", [wizard],
                     context={"active_model": "crm.lead",
                              "active_ids": (self.mine | self.mine2).ids,
                              "active_domain": [("user_id", "=", self.demo.id)]})
        self.assertEqual(self.lead_state(self.mine | self.mine2), before)

    def test_someone_elses_opportunity_refused(self):
        before = self.lead_state(self.theirs)
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "crm.lead", "unlink", [self.theirs.id])
        # Read through a mission (read-only rule): still no delete.
        self.env["project.task"].create({
            "name": "Visit", "is_mission": True, "opportunity_id": self.theirs.id,
            "user_id": self.demo.id,
            "project_id": self.env.ref("crm_opportunity_suite.project_missions").id})
        self.assertTrue(self.rpc(self.demo, "crm.lead", "read", [self.theirs.id], ["name"]))
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "crm.lead", "unlink", [self.theirs.id])
        self.assertEqual(self.lead_state(self.theirs), before)

    def test_the_trash_and_the_purge_stay_the_managers(self):
        self.rpc(self.demo, "crm.lead", "unlink", [self.mine.id])
        for method in ("unlink", "action_delete_permanently", "action_restore_from_trash"):
            with self.assertRaises(AccessError, msg=method):
                self.rpc(self.demo, "crm.lead", method, [self.mine.id])
        with self.assertRaises(Exception):  # a private method: not callable over RPC
            self.rpc(self.demo, "crm.lead", "_cron_purge_trash")
        self.env.cr.execute("SELECT count(*) FROM crm_lead WHERE id = %s", (self.mine.id,))
        self.assertEqual(self.env.cr.fetchone()[0], 1, "still in the trash")

    def test_only_the_opportunity_gains_the_delete_right(self):
        # The new access line grants unlink on crm.lead only (which moves to the trash): a
        # user of Sales / User alone (the demo user has other groups, Project's included).
        self.assertTrue(self.Lead.sudo(self.rep).check_access_rights("unlink"))
        for model in ("crm.lead.track", "crm.lead.track.task",
                      "crm.lead.import.log", "crm.probability.tag", "project.task",
                      "project.project", "crm.lead.mail.review"):
            self.assertFalse(self.env[model].sudo(self.rep).check_access_rights(
                "unlink", raise_exception=False), model)
