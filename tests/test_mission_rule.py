"""The record rule "Opportunities: those of my missions" (security:
crm_lead_rule_mission_resources) through crm.lead.mission_user_ids, one subquery of the rule's
SQL (models/crm_lead/missions.py): over authenticated RPC, a user assigned to a task of an
opportunity reads it and no other; the opportunities it lets through are those of the rule's
earlier form, [("mission_ids.user_id", "=", user.id)], as the ORM searched them."""
from odoo.exceptions import AccessError

from .common import SecurityCase

OLD_RULE = "mission_ids.user_id"


class TestMissionRule(SecurityCase):

    def setUp(self):
        super().setUp()
        Task = self.env["project.task"]
        self.visited = self.new_opportunity(name="Visited", user_id=self.other_rep.id)
        self.archived_task = self.new_opportunity(name="Archived task",
                                                  user_id=self.other_rep.id)
        self.plain_task = self.new_opportunity(name="Plain task", user_id=self.other_rep.id)
        self.someone_else = self.new_opportunity(name="Someone else's task",
                                                 user_id=self.other_rep.id)
        Task.create({"name": "Visit", "is_mission": True, "opportunity_id": self.visited.id,
                     "user_id": self.employee.id})
        Task.create({"name": "Old visit", "is_mission": True, "active": False,
                     "opportunity_id": self.archived_task.id, "user_id": self.employee.id})
        # A task linked to the opportunity but not marked as a mission: the ORM's search of
        # mission_ids.user_id did not apply the one-to-many's domain (is_mission) there.
        Task.create({"name": "Call", "opportunity_id": self.plain_task.id,
                     "user_id": self.employee.id})
        Task.create({"name": "Audit", "is_mission": True,
                     "opportunity_id": self.someone_else.id, "user_id": self.demo.id})
        Task.create({"name": "Unlinked", "is_mission": True, "user_id": self.employee.id})
        self.ours = self.visited | self.archived_task | self.plain_task | self.someone_else \
            | self.theirs

    def seen(self, user, context=None):
        return set(self.rpc(user, "crm.lead", "search", [("id", "in", self.ours.ids)],
                            context=context or {}))

    def old_rule(self, user, context=None):
        """The opportunities the rule's earlier form let through, as the ORM built it (as
        superuser, in the user's context)."""
        return set(self.Lead.with_context(**(context or {})).search(
            [(OLD_RULE, "=", user.id), ("id", "in", self.ours.ids)]).ids)

    def test_mission_resource_reads_those_opportunities_only(self):
        # An employee without sales rights: the rule is all they have.
        self.assertEqual(self.seen(self.employee), {self.visited.id, self.plain_task.id})
        self.assertEqual(self.seen(self.employee), self.old_rule(self.employee))
        self.assertEqual(
            [row["name"] for row in self.rpc(self.employee, "crm.lead", "read",
                                             self.visited.ids, ["name"])], ["Visited"])
        for lead in (self.archived_task, self.someone_else, self.theirs):
            with self.assertRaises(AccessError):
                self.rpc(self.employee, "crm.lead", "read", lead.ids, ["name"])
        # A context that shows archived records counts archived tasks too, as before.
        context = {"active_test": False}
        self.assertEqual(self.seen(self.employee, context),
                         {self.visited.id, self.plain_task.id, self.archived_task.id})
        self.assertEqual(self.seen(self.employee, context),
                         self.old_rule(self.employee, context))
        # The demo rep reads their own opportunities and, of Oscar's, the one of their task.
        self.assertEqual(self.seen(self.demo), {self.someone_else.id})
        self.assertEqual(self.rpc(self.demo, "crm.lead", "search_count",
                                  [("user_id", "=", self.other_rep.id),
                                   ("id", "in", self.ours.ids)]), 1)
        # Once unassigned, the task opens nothing any more.
        self.env["project.task"].search([("name", "=", "Visit")]).user_id = self.demo
        self.assertEqual(self.seen(self.employee), {self.plain_task.id})
        self.assertEqual(self.seen(self.demo), {self.someone_else.id, self.visited.id})

    def test_rule_subquery_as_the_orm_searched(self):
        """As superuser (the record rules are built so), the field's subquery finds what the
        ORM's search of mission_ids.user_id found, archived tasks per the context."""
        for context in ({}, {"active_test": False}):
            for value in (self.employee.id, [self.employee.id, self.demo.id], []):
                operator = "in" if isinstance(value, list) else "="
                self.assertEqual(
                    set(self.Lead.with_context(**context).search(
                        [("mission_user_ids", operator, value), ("id", "in", self.ours.ids)]
                    ).ids),
                    set(self.Lead.with_context(**context).search(
                        [(OLD_RULE, operator, value), ("id", "in", self.ours.ids)]).ids),
                    (context, value))

    def test_field_searched_by_clients(self):
        """A client's own search of the field is the ORM's search of mission_ids.user_id with
        the client's rights, whatever operator and value it sends."""
        for operator, value in (("=", self.employee.id), ("in", [self.employee.id]),
                                ("!=", self.employee.id), ("=", False),
                                ("ilike", "Eddie"), ("in", [])):
            domain = [("id", "in", self.ours.ids)]
            self.assertEqual(
                self.rpc(self.demo, "crm.lead", "search",
                         domain + [("mission_user_ids", operator, value)]),
                self.Lead.sudo(self.demo).search(domain + [(OLD_RULE, operator, value)]).ids,
                (operator, value))
        # Read: the assignees of the tasks of the opportunity.
        self.assertEqual(self.rpc(self.demo, "crm.lead", "read", self.someone_else.ids,
                                  ["mission_user_ids"])[0]["mission_user_ids"], [self.demo.id])
