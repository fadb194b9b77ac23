"""A hostile client (issue 17 points 4, 5 and 7), over authenticated RPC: Send all from a list
of opportunities, the files of an opportunity (upload, the Files tab, tags) and the
assignment of documents to missions, as the demo rep, a plain employee or a manager."""
import base64

from odoo.exceptions import AccessError, UserError

from .common import SecurityCase


class TestFilesAndMissionsOverRpc(SecurityCase):

    def setUp(self):
        super().setUp()
        for lead in (self.mine, self.theirs):
            lead.write({"line_ids": [(0, 0, {"line_type": "text", "name": "Inspection",
                                             "price_unit": 300.0})]})
        self.customer.email = "buyer@acme.example.com"

    def upload(self, user, name):
        """A file uploaded by ``user`` into the upload dialog (attached to no record yet)."""
        return self.rpc(user, "ir.attachment", "create", {
            "name": name, "datas_fname": name, "datas": base64.b64encode(name.encode()).decode(),
            "res_model": "crm.lead.file.upload", "res_id": 0})

    def add_files(self, user, lead, attachment_ids, visibility="both"):
        context = {"active_model": "crm.lead", "active_id": lead.id}
        wizard = self.rpc(user, "crm.lead.file.upload", "create", {
            "attachment_ids": [(6, 0, attachment_ids)], "visibility": visibility},
            context=context)
        return self.rpc(user, "crm.lead.file.upload", "action_upload", [wizard],
                        context=context)

    def names_seen(self, user, lead):
        return sorted(row["name"] for row in self.rpc(
            user, "ir.attachment", "search_read",
            [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)], fields=["name"]))

    def test_files_of_an_opportunity(self):
        plan = self.upload(self.demo, "plan.pdf")
        self.add_files(self.demo, self.mine, [plan], "mission")
        self.env["ir.attachment"].create({
            "name": "margins.xlsx", "datas": b"eA==", "res_model": "crm.lead",
            "res_id": self.mine.id, "cos_visibility": "internal"})
        attachment = self.env["ir.attachment"].browse(plan)
        self.assertEqual((attachment.res_model, attachment.res_id, attachment.cos_visibility),
                         ("crm.lead", self.mine.id, "mission"))
        self.assertEqual(self.names_seen(self.demo, self.mine), ["margins.xlsx", "plan.pdf"])
        self.assertEqual(self.names_seen(self.employee, self.mine), [])
        self.env["project.task"].create({"name": "Visit", "is_mission": True,
                                         "opportunity_id": self.mine.id,
                                         "user_id": self.employee.id})
        self.assertEqual(self.names_seen(self.employee, self.mine), ["plan.pdf"],
                         "a mission resource sees the files shared with the missions only")
        # A mission resource reads the opportunity but adds no file to it.
        report = self.upload(self.employee, "report.pdf")
        with self.assertRaises(AccessError):
            self.add_files(self.employee, self.mine, [report])
        # The rep adds nothing to another rep's opportunity, and moves no other file.
        spy = self.upload(self.demo, "spy.pdf")
        with self.assertRaises(AccessError):
            self.add_files(self.demo, self.theirs, [spy])
        secret = self.env["ir.attachment"].create({
            "name": "salaries.pdf", "datas": b"U0VDUkVU", "res_model": "crm.lead",
            "res_id": self.theirs.id})
        with self.assertRaises(AccessError):
            self.add_files(self.demo, self.mine, [secret.id])
        with self.assertRaises(UserError):
            self.rpc(self.demo, "crm.lead", "write", self.mine.ids,
                     {"cos_file_ids": [(4, secret.id, False)]})
        self.env.clear()
        self.assertEqual((secret.res_id, secret.cos_visibility), (self.theirs.id, "internal"))
        self.assertEqual(self.names_seen(self.demo, self.theirs), [])
        # Tags: the managers' to define, the reps' to use.
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "crm.file.tag", "create", {"name": "Rep's tag"})
        tag = self.env["crm.file.tag"].create({"name": "T-Plans"})
        self.rpc(self.demo, "crm.lead", "write", self.mine.ids, {"cos_file_ids": [
            (1, plan, {"cos_tag_ids": [(6, 0, tag.ids)], "cos_visibility": "both"})]})
        self.env.clear()
        self.assertEqual((attachment.cos_tag_ids, attachment.cos_visibility), (tag, "both"))

    def test_documents_assigned_to_missions(self):
        quote = self.mine.create_document("quote")
        context = {"active_model": "sale.order", "active_id": quote.id}
        wizard = self.rpc(self.demo, "crm.document.mission.assign", "create",
                          {"mode": "new", "name": "Survey"}, context=context)
        self.rpc(self.demo, "crm.document.mission.assign", "action_assign", [wizard],
                 context=context)
        self.env.clear()
        mission = quote.cos_mission_id
        self.assertEqual((mission.name, mission.opportunity_id, mission.user_id),
                         ("Survey", self.mine, self.demo))
        elsewhere = self.env["project.task"].create({
            "name": "Oscar's visit", "is_mission": True, "opportunity_id": self.theirs.id})
        for reference, message in ((elsewhere.code, "belongs to another opportunity"),
                                   ("PT-NOPE", "No mission has the reference")):
            wizard = self.rpc(self.demo, "crm.document.mission.assign", "create",
                              {"mode": "reference", "reference": reference}, context=context)
            with self.assertRaisesRegex(UserError, message):
                self.rpc(self.demo, "crm.document.mission.assign", "action_assign", [wizard],
                         context=context)
        with self.assertRaisesRegex(UserError, "a mission of its own opportunity"):
            self.rpc(self.demo, "sale.order", "write", quote.ids,
                     {"cos_mission_id": elsewhere.id})
        # The documents of an opportunity the rep may not edit.
        their_quote = self.theirs.create_document("quote")
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "crm.document.mission.assign", "create", {"mode": "new"},
                     context={"active_model": "sale.order", "active_id": their_quote.id})
        wizard = self.rpc(self.demo, "crm.document.mission.assign", "create", {
            "document_model": "sale.order", "document_id": their_quote.id, "mode": "new",
            "name": "Spy visit"})
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "crm.document.mission.assign", "action_assign", [wizard])
        self.env.clear()
        self.assertEqual(quote.cos_mission_id, mission)
        self.assertFalse(their_quote.cos_mission_id)
        self.assertFalse(self.env["project.task"].search([("name", "=", "Spy visit")]))

    def test_send_all_from_the_opportunity_list(self):
        mine = self.mine.create_document("quote")
        theirs = self.theirs.create_document("quote")
        for use_domain in (False, True):
            context = {"active_model": "crm.lead", "active_ids": (self.mine | self.theirs).ids,
                       "active_domain": [("id", "in", (self.mine | self.theirs).ids)]}
            wizard = self.rpc(self.demo, "crm.document.send.all", "create",
                              {"use_domain": use_domain}, context=context)
            self.rpc(self.demo, "crm.document.send.all", "action_send", [wizard],
                     context=context)
        mailed = self.env["mail.mail"].search([("model", "=", "sale.order"),
                                               ("res_id", "in", (mine | theirs).ids)])
        self.assertEqual(mailed.mapped("res_id"), [mine.id, mine.id],
                         "the rep's quote, once per run; never another rep's")
