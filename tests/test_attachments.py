import base64
import zipfile

from odoo.exceptions import AccessError

from .common import SuiteCase


class TestAttachments(SuiteCase):

    def setUp(self):
        super().setUp()
        Users = self.env["res.users"].with_context(no_reset_password=True)
        # A technician: an employee without sales rights, assigned to a mission.
        self.technician = Users.create({
            "name": "Theo Technician", "login": "cos_technician",
            "groups_id": [(6, 0, [self.env.ref("base.group_user").id])]})
        self.lead = self.new_opportunity(name="Roof Alpha", user_id=self.rep.id)
        self.env["project.task"].create({
            "name": "Visit", "is_mission": True, "opportunity_id": self.lead.id,
            "user_id": self.technician.id})
        self.files = {}
        for name, visibility in (("quote.pdf", "internal"), ("plan.pdf", "mission"),
                                 ("photo.jpg", "both")):
            self.files[name] = self.attach(self.lead, name, visibility)

    def attach(self, lead, name, visibility="internal", content=None):
        return self.env["ir.attachment"].create({
            "name": name, "datas_fname": name, "res_model": "crm.lead", "res_id": lead.id,
            "datas": base64.b64encode(content or name.encode()), "cos_visibility": visibility})

    def visible(self, user):
        return set(self.env["ir.attachment"].sudo(user).search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", self.lead.id)]).mapped("name"))

    def test_visibility_rules(self):
        self.assertEqual(self.visible(self.rep), {"quote.pdf", "photo.jpg"})
        self.assertEqual(self.visible(self.technician), {"plan.pdf", "photo.jpg"})
        self.assertEqual(self.visible(self.manager), {"quote.pdf", "plan.pdf", "photo.jpg"})
        self.assertEqual(self.visible(self.other_rep), set())
        with self.assertRaises(AccessError):
            self.files["plan.pdf"].sudo(self.rep).read(["datas"])
        with self.assertRaises(AccessError):
            self.files["quote.pdf"].sudo(self.technician).read(["datas"])
        self.assertEqual(base64.b64decode(self.files["plan.pdf"].sudo(
            self.technician).read(["datas"])[0]["datas"]), b"plan.pdf")
        self.assertEqual(self.lead.sudo(self.technician).name, "Roof Alpha",
                         "a mission resource reads the opportunity")
        with self.assertRaises(AccessError):
            self.lead.sudo(self.technician).write({"name": "Changed"})

    def test_download_all(self):
        self.attach(self.lead, "quote.pdf", "internal", b"second quote")
        name, handle = self.lead.sudo(self.rep)._attachments_zip()
        self.assertEqual(name, "%s-files.zip" % self.lead.reference)
        archive = zipfile.ZipFile(handle)
        self.assertEqual(sorted(archive.namelist()), ["photo.jpg", "quote (2).pdf", "quote.pdf"])
        self.assertEqual(archive.read("quote (2).pdf"), b"second quote")
        with self.assertRaises(AccessError):
            self.lead.sudo(self.other_rep)._attachments_zip()

    def test_download_all_empty_and_many(self):
        empty = self.new_opportunity(name="Nothing attached")
        _name, handle = empty._attachments_zip()
        self.assertEqual(zipfile.ZipFile(handle).namelist(), [])
        crowded = self.new_opportunity(name="Crowded")
        for index in range(200):
            self.attach(crowded, "scan.png", content=b"%d" % index)
        _name, handle = crowded._attachments_zip()
        names = zipfile.ZipFile(handle).namelist()
        self.assertEqual(len(names), 200)
        self.assertEqual(len(set(names)), 200)
        self.assertIn("scan (200).png", names)
