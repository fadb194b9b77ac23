from odoo.exceptions import AccessError, UserError
from odoo.tools import mute_logger

from .common import SecurityCase


class TestTrashSearch(SecurityCase):
    """Searches that include archived opportunities leave the trash out by its ids (the trash
    date, far in the row, unread): what they find, over RPC, as a rep and a sales manager."""

    def setUp(self):
        super().setUp()
        self.set_password(self.manager, "cos-manager")
        self.lost = self.new_opportunity(name="Demo's lost", user_id=self.demo.id)
        self.lost.action_set_lost()
        self.rpc(self.demo, "crm.lead", "unlink", [self.mine2.id])
        self.assertTrue(self.mine2.trash_date)
        self.archived = {"context": {"active_test": False}}

    def search(self, user, domain, **kwargs):
        return set(self.rpc(user, "crm.lead", "search", domain, **kwargs))

    def test_archived_included_leave_the_trash_out(self):
        domain = [("team_id", "=", self.team.id)]
        for user in (self.demo, self.manager):
            found = self.search(user, domain, **self.archived)
            self.assertIn(self.lost.id, found, user.name)
            self.assertIn(self.mine.id, found, user.name)
            self.assertNotIn(self.mine2.id, found, user.name)
            self.assertNotIn(self.mine2.id, self.search(
                user, domain + [("active", "in", [True, False])]), user.name)
            self.assertEqual(self.rpc(user, "crm.lead", "search_count", domain,
                                      **self.archived), len(found))
            groups = self.rpc(user, "crm.lead", "read_group", domain, ["team_id"], ["team_id"],
                              **self.archived)
            self.assertEqual(sum(group["team_id_count"] for group in groups), len(found))
        self.assertNotIn(self.theirs.id, self.search(self.demo, domain, **self.archived))
        # The same as the trash date's own condition (what the search asked before), for
        # everyone the manager sees.
        Lead = self.Lead.sudo(self.manager).with_context(active_test=False)
        self.assertEqual(set(Lead.search(domain).ids), set(Lead.search(
            domain + [("trash_date", "=", False)]).ids))

    def test_in_the_trash_searched_explicitly(self):
        domain = [("team_id", "=", self.team.id)]
        for operator, value in (("=", True), ("!=", False)):
            self.assertEqual(self.search(self.manager, domain + [("is_in_trash", operator, value)],
                                         **self.archived), {self.mine2.id})
            # The rep never sees the trash.
            self.assertFalse(self.search(self.demo, domain + [("is_in_trash", operator, value)],
                                         **self.archived))
        for operator, value in (("=", False), ("!=", True)):
            found = self.search(self.manager, domain + [("is_in_trash", operator, value)],
                                **self.archived)
            self.assertIn(self.lost.id, found)
            self.assertNotIn(self.mine2.id, found)
        self.assertEqual(self.rpc(self.manager, "crm.lead", "read", [self.mine2.id],
                                  ["is_in_trash"])[0]["is_in_trash"], True)
        with mute_logger("odoo.service.model"):
            for term in (("is_in_trash", "in", [True]), ("is_in_trash", "=", "yes"),
                         ("is_in_trash", "ilike", "x")):
                with self.assertRaises(UserError):
                    self.rpc(self.manager, "crm.lead", "search", [term])
            # Only the addon's own code moves to and out of the trash.
            with self.assertRaises(AccessError):
                self.rpc(self.demo, "crm.lead", "write", [self.mine.id], {"is_in_trash": True})
        self.assertFalse(self.mine.trash_date)

    def test_sql_reads_the_trash_date_only_where_the_check_is_not_in_force(self):
        """The ids of the trash, where the database keeps the trash inactive; the trash date
        itself elsewhere (an active opportunity of the trash would be found otherwise)."""
        Lead = self.Lead.sudo(self.demo).with_context(active_test=False)

        def where(model):
            query = model._where_calc([("team_id", "=", self.team.id)])
            model._apply_ir_rules(query, "read")
            return query.get_sql()[1]

        for model in (Lead, self.Lead.with_context(active_test=False)):
            self.assertNotIn("trash_date", where(model).replace("trashed.trash_date", ""))
        # A search that names the trash date itself: the rep's trash rule kept, in the form
        # that reads the first columns only.
        query = Lead._where_calc([("trash_date", "!=", "2000-01-01")])
        Lead._apply_ir_rules(query, "read")
        self.assertEqual(query.get_sql()[1].count("SELECT trashed.id"), 1)
        type(self.Lead)._trash_check_in_force = False
        try:
            for model in (Lead, self.Lead.with_context(active_test=False)):
                self.assertIn('"crm_lead"."trash_date" IS NULL', where(model))
                self.assertNotIn("trashed.id", where(model))
        finally:
            type(self.Lead)._trash_check_in_force = True
