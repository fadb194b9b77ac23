import base64
import zipfile

from odoo.exceptions import AccessError, UserError

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


class TestFilesTab(SuiteCase):
    """The Files tab: uploads asking who sees them, tags, the opportunity's own files."""

    def setUp(self):
        super().setUp()
        Users = self.env["res.users"].with_context(no_reset_password=True)
        self.technician = Users.create({
            "name": "Theo Technician", "login": "cos_technician",
            "groups_id": [(6, 0, [self.env.ref("base.group_user").id])]})
        # A sales user who sees every opportunity, not assigned to any mission.
        self.colleague = Users.create({
            "name": "Cleo Colleague", "login": "cos_colleague",
            "groups_id": [(6, 0, [self.env.ref("sales_team.group_sale_salesman_all_leads").id])]})
        self.lead = self.new_opportunity(name="Roof Alpha", user_id=self.rep.id)
        self.env["project.task"].create({
            "name": "Visit", "is_mission": True, "opportunity_id": self.lead.id,
            "user_id": self.technician.id})
        self.Tag = self.env["crm.file.tag"]
        self.plans = self.Tag.sudo(self.manager).create({"name": "T-Plans", "color": 3})
        self.photos = self.Tag.sudo(self.manager).create({"name": "T-Photos"})

    def upload(self, user, lead, names, visibility, tags=None):
        """What the Upload files dialog does: the files, uploaded by ``user`` into the dialog
        (attached to no record yet), then Upload."""
        Attachment = self.env["ir.attachment"].sudo(user)
        uploads = Attachment.browse()
        for name in names:
            uploads |= Attachment.create({
                "name": name, "datas_fname": name, "datas": base64.b64encode(name.encode()),
                "res_model": "crm.lead.file.upload", "res_id": 0})
        wizard = self.env["crm.lead.file.upload"].sudo(user).with_context(
            active_model="crm.lead", active_id=lead.id).create({
                "attachment_ids": [(6, 0, uploads.ids)], "visibility": visibility,
                "tag_ids": [(6, 0, (tags or self.Tag).ids)]})
        self.assertEqual(wizard.lead_id, lead)
        wizard.action_upload()
        return uploads

    def visible(self, user):
        return set(self.lead.sudo(user).cos_file_ids.mapped("name"))

    def test_upload_asks_who_sees_the_files_and_tags_them(self):
        shared = self.upload(self.rep, self.lead, ["site.dwg", "brief.pdf"], "mission",
                             self.plans | self.photos)
        for attachment in shared:
            self.assertEqual((attachment.res_model, attachment.res_id, attachment.cos_visibility,
                              attachment.cos_tag_ids, attachment.public),
                             ("crm.lead", self.lead.id, "mission", self.plans | self.photos,
                              False))
        self.upload(self.rep, self.lead, ["price list.xlsx"], "internal", self.plans)
        self.upload(self.rep, self.lead, ["access.jpg"], "both")
        self.assertEqual(self.visible(self.technician), {"site.dwg", "brief.pdf", "access.jpg"})
        self.assertEqual(self.visible(self.colleague), {"price list.xlsx", "access.jpg"})
        self.assertEqual(self.visible(self.rep), {"site.dwg", "brief.pdf", "price list.xlsx",
                                                  "access.jpg"},
                         "the rep who uploaded files for the mission resources still sees them")
        self.assertEqual(self.visible(self.manager), self.visible(self.rep))
        self.assertEqual(self.lead.sudo(self.technician).attachment_count, 3)
        self.assertIn("Files added (visible to: Mission resources): site.dwg, brief.pdf.",
                      " ".join(self.lead.message_ids.mapped("body")))
        tagged = self.env["ir.attachment"].sudo(self.rep).search([
            ("res_model", "=", "crm.lead"), ("cos_tag_ids", "in", self.plans.ids)])
        self.assertEqual(set(tagged.mapped("name")), {"site.dwg", "brief.pdf",
                                                      "price list.xlsx"})
        with self.assertRaisesRegex(UserError, "Choose the files"):
            self.lead.sudo(self.rep)._cos_add_files(self.env["ir.attachment"], "both",
                                                    self.Tag)
        with self.assertRaisesRegex(UserError, "Say who may see"):
            self.lead.sudo(self.rep)._cos_add_files(shared, "everybody", self.Tag)

    def test_files_are_added_where_the_user_may_edit(self):
        theirs = self.new_opportunity(name="Oscar's roof", user_id=self.other_rep.id)
        with self.assertRaises(AccessError):
            self.upload(self.rep, theirs, ["spy.pdf"], "internal")
        with self.assertRaises(AccessError):
            self.upload(self.technician, self.lead, ["report.pdf"], "both")
        foreign = self.env["ir.attachment"].create({
            "name": "salaries.pdf", "datas_fname": "salaries.pdf", "datas": b"U0VDUkVU",
            "res_model": "crm.lead", "res_id": theirs.id})
        mine = self.env["ir.attachment"].sudo(self.rep).create({
            "name": "contract.pdf", "datas_fname": "contract.pdf", "datas": b"U0VDUkVU",
            "res_model": "crm.lead", "res_id": self.lead.id})
        for attachment in (foreign, mine):
            wizard = self.env["crm.lead.file.upload"].sudo(self.rep).create({
                "lead_id": self.lead.id, "visibility": "both",
                "attachment_ids": [(6, 0, attachment.ids)]})
            with self.assertRaisesRegex(AccessError, "Only files you upload in this dialog"):
                wizard.action_upload()
        self.assertEqual((foreign.res_id, foreign.cos_visibility), (theirs.id, "internal"))
        with self.assertRaises(AccessError):
            self.Tag.sudo(self.rep).create({"name": "Rep's own tag"})
        with self.assertRaises(AccessError):
            self.plans.sudo(self.rep).write({"name": "Renamed"})
        self.assertEqual(self.plans.sudo(self.technician).name, "T-Plans")

    def test_files_tab_changes_the_opportunitys_own_files_only(self):
        quote, photo = self.upload(self.rep, self.lead, ["quote.pdf", "photo.jpg"], "internal")
        lead = self.lead.sudo(self.rep)
        lead.write({"cos_file_ids": [
            (1, quote.id, {"cos_visibility": "both", "cos_tag_ids": [(6, 0, self.plans.ids)]}),
            (4, photo.id, False)]})
        self.assertEqual((quote.cos_visibility, quote.cos_tag_ids), ("both", self.plans))
        self.assertEqual(self.visible(self.technician), {"quote.pdf"})
        theirs = self.new_opportunity(name="Oscar's roof", user_id=self.other_rep.id)
        foreign = self.env["ir.attachment"].create({
            "name": "salaries.pdf", "datas_fname": "salaries.pdf", "datas": b"U0VDUkVU",
            "res_model": "crm.lead", "res_id": theirs.id})
        for commands in ([(4, foreign.id, False)], [(1, foreign.id, {"name": "mine.pdf"})],
                         [(0, 0, {"name": "new.pdf", "datas": b"U0VDUkVU"})],
                         [(1, quote.id, {"res_id": theirs.id})], [(6, 0, [foreign.id])],
                         [(5,)], [(3, quote.id)]):
            with self.assertRaisesRegex(UserError, "Files are added with Upload files"):
                lead.write({"cos_file_ids": commands})
        self.assertEqual((foreign.res_id, foreign.name), (theirs.id, "salaries.pdf"))
        self.assertEqual(quote.res_id, self.lead.id)
        with self.assertRaisesRegex(UserError, "Upload files"):
            self.new_opportunity(name="New", cos_file_ids=[(0, 0, {"name": "x.pdf"})])
        lead.write({"cos_file_ids": [(2, photo.id, False)]})
        self.assertFalse(photo.exists())

    def test_download_all_as_a_mission_resource(self):
        self.upload(self.rep, self.lead, ["plan.pdf", "plan.pdf"], "both", self.plans)
        self.upload(self.rep, self.lead, ["margins.xlsx"], "internal")
        _name, handle = self.lead.sudo(self.technician)._attachments_zip()
        archive = zipfile.ZipFile(handle)
        self.assertEqual(sorted(archive.namelist()), ["plan (2).pdf", "plan.pdf"])
        self.assertEqual(archive.read("plan.pdf"), b"plan.pdf")
        _name, handle = self.lead.sudo(self.rep)._attachments_zip()
        self.assertEqual(sorted(zipfile.ZipFile(handle).namelist()),
                         ["margins.xlsx", "plan (2).pdf", "plan.pdf"])
        action = self.lead.sudo(self.rep).cos_file_ids[0].action_cos_download()
        self.assertEqual(action["url"], "/web/content/%d?download=true"
                         % self.lead.sudo(self.rep).cos_file_ids[0].id)
