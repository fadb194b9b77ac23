from odoo.exceptions import UserError

from .common import SuiteCase


class TestMissions(SuiteCase):

    def setUp(self):
        super().setUp()
        self.lead = self.new_opportunity(name="Roof Alpha", contact_id=self.contact.id,
                                         user_id=self.rep.id)
        self.other = self.new_opportunity(name="Roof Beta")
        self.Task = self.env["project.task"]

    def test_new_mission_prefilled_from_the_opportunity(self):
        action = self.lead.action_new_mission()
        mission = self.Task.with_context(**action["context"]).create({"name": "Site visit"})
        self.assertTrue(mission.is_mission)
        self.assertEqual((mission.opportunity_id, mission.partner_id, mission.contact_id,
                          mission.user_id, mission.project_id),
                         (self.lead, self.customer, self.contact, self.rep,
                          self.env.ref("crm_opportunity_suite.project_missions")))
        self.assertTrue(mission.code and mission.code != "/")
        self.assertEqual(self.lead.mission_ids, mission)
        self.assertEqual(self.lead.mission_count, 1)
        found = self.Lead.search([("mission_ids", "ilike", mission.code),
                                  ("id", "in", (self.lead | self.other).ids)])
        self.assertEqual(found, self.lead, "opportunities are found by mission reference")

    def test_import_a_mission_by_reference(self):
        task = self.Task.create({"name": "Drafting", "project_id": self.env.ref(
            "crm_opportunity_suite.project_missions").id})
        wizard = self.env["crm.lead.mission.import"].with_context(
            active_model="crm.lead", active_id=self.lead.id).create(
            {"reference": " %s " % task.code.lower()})
        wizard.action_import()
        self.assertEqual((task.opportunity_id, task.is_mission), (self.lead, True))
        self.assertIn("Mission [%s]" % task.code, self.lead.message_ids[0].body)
        with self.assertRaisesRegex(UserError, "already linked to this opportunity"):
            self.lead.link_mission(task.code)
        with self.assertRaisesRegex(UserError, "already linked to the opportunity"):
            self.other.link_mission(task.code)
        with self.assertRaisesRegex(UserError, "No mission has the reference \"NOPE-1\""):
            self.lead.link_mission("NOPE-1")
        with self.assertRaisesRegex(UserError, "Give the reference"):
            self.lead.link_mission("  ")

    def test_rep_creates_a_mission_on_own_opportunity(self):
        action = self.lead.sudo(self.rep).action_new_mission()
        mission = self.Task.sudo(self.rep).with_context(**action["context"]).create(
            {"name": "Visit"})
        self.assertEqual(mission.opportunity_id, self.lead)

    def test_projects_linked_both_ways(self):
        wizard = self.env["crm.lead.project.link"].with_context(
            active_model="crm.lead", active_id=self.lead.id).create({"mode": "new"})
        self.assertEqual(wizard.name, "Roof Alpha")
        wizard.action_link()
        project = self.lead.project_ids
        self.assertEqual(len(project), 1)
        self.assertEqual((project.opportunity_id, project.partner_id, project.opportunity_reference,
                          project.opportunity_stage_id),
                         (self.lead, self.customer, self.lead.reference, self.stage_new))
        existing = self.env["project.project"].create({"name": "Existing works"})
        self.env["crm.lead.project.link"].with_context(
            active_model="crm.lead", active_id=self.lead.id).create(
            {"mode": "existing", "project_id": existing.id}).action_link()
        self.assertEqual(self.lead.project_ids, project | existing)
        self.assertEqual(self.lead.project_count, 2)
        with self.assertRaisesRegex(UserError, "already linked"):
            self.other.link_project(project=existing)
        with self.assertRaisesRegex(UserError, "name"):
            self.other.link_project(name=" ")
