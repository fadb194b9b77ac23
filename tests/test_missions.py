from odoo.exceptions import AccessError, UserError

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


class TestDocumentMissions(SuiteCase):
    """Assign to a mission: a mission of the opportunity, a new one, or by reference."""

    def setUp(self):
        super().setUp()
        self.lead = self.new_opportunity(
            name="Roof Alpha", contact_id=self.contact.id, user_id=self.rep.id,
            line_ids=[(0, 0, {"line_type": "text", "name": "Inspection", "price_unit": 300.0})])
        self.other = self.new_opportunity(name="Roof Beta", user_id=self.other_rep.id)
        self.quote = self.lead.create_document("quote")
        self.invoice = self.lead.create_document("invoice")
        self.Task = self.env["project.task"]
        self.missions = self.env.ref("crm_opportunity_suite.project_missions")

    def dialog(self, document, user=None, **values):
        Wizard = self.env["crm.document.mission.assign"]
        if user:
            Wizard = Wizard.sudo(user)
        wizard = Wizard.with_context(active_model=document._name, active_id=document.id,
                                     active_ids=document.ids).create(values)
        return wizard

    def test_new_mission_from_the_dialog(self):
        action = self.quote.action_cos_assign_mission()
        self.assertEqual((action["res_model"], action["context"]["active_id"]),
                         ("crm.document.mission.assign", self.quote.id))
        wizard = self.dialog(self.quote, self.rep, name="Survey before the quote",
                             date_deadline="2027-05-04")
        self.assertEqual((wizard.mode, wizard.lead_id, wizard.user_id, wizard.document_name),
                         ("new", self.lead, self.rep, self.quote.name),
                         "no mission yet: a new one, for the opportunity's owner")
        wizard.action_assign()
        mission = self.quote.cos_mission_id
        self.assertEqual((mission.name, mission.is_mission, mission.opportunity_id,
                          mission.project_id, mission.partner_id, mission.contact_id,
                          mission.user_id, mission.date_deadline),
                         ("Survey before the quote", True, self.lead, self.missions,
                          self.customer, self.contact, self.rep, "2027-05-04"))
        self.assertTrue(mission.code and mission.code != "/")
        self.assertIn("Mission [%s] Survey before the quote created." % mission.code,
                      " ".join(self.lead.message_ids.mapped("body")))
        self.assertIn("Assigned to the mission [%s]" % mission.code,
                      self.quote.message_ids[0].body)
        # The next dialog offers the opportunity's missions; the invoice joins this one.
        wizard = self.dialog(self.invoice, self.rep)
        self.assertEqual(wizard.mode, "existing")
        wizard.write({"mission_id": mission.id})
        wizard.action_assign()
        self.assertEqual(self.invoice.cos_mission_id, mission)
        with self.assertRaisesRegex(UserError, "title"):
            self.dialog(self.invoice, self.rep, mode="new", name=" ").action_assign()

    def test_mission_by_reference(self):
        loose = self.Task.create({"name": "Drafting", "project_id": self.missions.id})
        self.dialog(self.quote, self.rep, mode="reference",
                    reference=" %s " % loose.code.lower()).action_assign()
        self.assertEqual((self.quote.cos_mission_id, loose.opportunity_id, loose.is_mission),
                         (loose, self.lead, True), "a mission of no opportunity joins this one")
        self.assertIn("Mission [%s] Drafting linked." % loose.code,
                      " ".join(self.lead.message_ids.mapped("body")))
        self.dialog(self.invoice, self.rep, mode="reference",
                    reference=loose.code).action_assign()
        self.assertEqual(self.invoice.cos_mission_id, loose, "already this opportunity's")
        elsewhere = self.Task.create({"name": "Beta visit", "is_mission": True,
                                      "opportunity_id": self.other.id})
        with self.assertRaisesRegex(UserError, "The mission %s belongs to the opportunity "
                                    "%s" % (elsewhere.code, self.other.display_name)):
            self.dialog(self.quote, mode="reference", reference=elsewhere.code).action_assign()
        with self.assertRaisesRegex(UserError, "No mission has the reference \"PT-NOPE\""):
            self.dialog(self.quote, mode="reference", reference="PT-NOPE").action_assign()
        self.assertEqual(self.quote.cos_mission_id, loose)

    def test_a_document_mission_is_one_of_its_opportunity(self):
        elsewhere = self.Task.create({"name": "Beta visit", "is_mission": True,
                                      "opportunity_id": self.other.id})
        with self.assertRaisesRegex(UserError, "a mission of its own opportunity"):
            self.quote.write({"cos_mission_id": elsewhere.id})
        own = self.Task.create({"name": "Visit", "is_mission": True,
                                "opportunity_id": self.lead.id})
        self.quote.write({"cos_mission_id": own.id})
        with self.assertRaisesRegex(UserError, "a mission of its own opportunity"):
            self.quote.write({"opportunity_id": self.other.id})
        loose_quote = self.env["sale.order"].create({"partner_id": self.customer.id})
        with self.assertRaisesRegex(UserError, "belongs to no opportunity"):
            self.dialog(loose_quote, name="Visit", mode="new").action_assign()

    def test_rep_assigns_documents_of_opportunities_they_may_edit(self):
        theirs = self.other.copy({"name": "Roof Gamma", "user_id": self.other_rep.id,
                                  "line_ids": [(0, 0, {"line_type": "text", "name": "Survey",
                                                       "price_unit": 10.0})]})
        quote = theirs.create_document("quote")
        with self.assertRaises(AccessError):
            self.dialog(quote, self.rep, name="Spy visit", mode="new")
        loose = self.Task.create({"name": "Drafting", "project_id": self.missions.id})
        wizard = self.env["crm.document.mission.assign"].sudo(self.rep).create({
            "document_model": "sale.order", "document_id": quote.id, "mode": "reference",
            "reference": loose.code})
        with self.assertRaises(AccessError):
            wizard.action_assign()
        self.assertFalse(quote.cos_mission_id)
        self.assertFalse(loose.opportunity_id)
        wizard = self.env["crm.document.mission.assign"].sudo(self.rep).create({
            "document_model": "res.partner", "document_id": self.customer.id,
            "mode": "reference", "reference": loose.code})
        with self.assertRaisesRegex(UserError, "quotes, invoices and purchase orders"):
            wizard.action_assign()
