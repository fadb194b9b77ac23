"""A hostile client: each promise of the README driven over authenticated RPC as the demo
sales user (a rep), a plain employee or a manager, asserting the refusal and that nothing
changed (missions, projects, plain writes, merge, the trash, manager-only paths)."""

from odoo.exceptions import AccessError, UserError, ValidationError

from .common import SecurityCase

REFUSED = (AccessError, UserError, ValidationError)


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
        # Searches of active opportunities only (the trash rule's condition left out of their
        # SQL): still neither the trash nor another rep's.
        hidden = {self.mine.id, self.theirs.id}
        for domain in ([], [("id", "in", list(hidden))], ["|", ("trash_date", "=", False),
                                                          ("id", "in", list(hidden))]):
            found = self.rpc(self.demo, "crm.lead", "search", domain)
            self.assertFalse(hidden & set(found), domain)
        self.assertIn(self.mine2.id, self.rpc(self.demo, "crm.lead", "search", []))
        self.assertEqual(self.rpc(self.demo, "crm.lead", "search_count",
                                  [("id", "in", list(hidden))]), 0)
        groups = self.rpc(self.demo, "crm.lead", "read_group", [("id", "in", list(hidden))],
                          ["user_id"], ["user_id"])
        self.assertEqual(sum(group["user_id_count"] for group in groups), 0)
        self.assertFalse(self.rpc(self.demo, "crm.lead", "name_search", "Demo's first") +
                         self.rpc(self.demo, "crm.lead", "name_search", "Oscar's secret"))
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
