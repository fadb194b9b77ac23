import os
import re
import tempfile
import unicodedata
import zipfile

from odoo import _, api, fields, models

ZIP_NAME_LENGTH = 150


def safe_file_name(name):
    """A file name safe inside a zip: no folders (slash, backslash, "..") and no control
    characters, at most ZIP_NAME_LENGTH characters."""
    text = "".join("_" if unicodedata.category(char).startswith("C") else char
                   for char in (name or ""))
    text = re.sub(r"[/\\:]+", "_", text).strip().lstrip(".").strip()
    text = re.sub(r"\.{2,}", ".", text)
    return text[-ZIP_NAME_LENGTH:] or "file"


class CrmLeadFiles(models.Model):
    """The opportunity's files: who may see each of them, and all of them in one zip."""

    _inherit = "crm.lead"

    attachment_count = fields.Integer(compute="_compute_attachment_count", string="Files")

    def _compute_attachment_count(self):
        counts = dict((row["res_id"], row["res_id_count"]) for row in self.env[
            "ir.attachment"].read_group([("res_model", "=", "crm.lead"),
                                         ("res_id", "in", self.ids)], ["res_id"], ["res_id"]))
        for lead in self:
            lead.attachment_count = counts.get(lead.id, 0)

    @api.multi
    def action_download_attachments(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "target": "self",
            "url": "/crm_opportunity_suite/opportunity/%d/attachments.zip" % self.id,
        }

    @api.multi
    def action_view_attachments(self):
        """The files of the opportunity, with who may see each of them."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Files"),
            "res_model": "ir.attachment",
            "view_mode": "tree,form",
            "views": [(self.env.ref("crm_opportunity_suite.ir_attachment_view_tree_visibility").id,
                       "tree"), (False, "form")],
            "domain": [("res_model", "=", "crm.lead"), ("res_id", "=", self.id)],
            "context": {"default_res_model": "crm.lead", "default_res_id": self.id},
        }

    def _attachments_zip(self):
        """(file name, open temporary file holding the zip) of the files of this opportunity
        the user may see; names made safe and unique ("a.pdf", "a (2).pdf"). Files are copied
        one at a time from the filestore (or the database) into a temporary file: loading
        them through the ORM loaded every file's content at once."""
        self.ensure_one()
        self.check_access_rights("read")
        self.check_access_rule("read")
        # search() applies the files' visibility rules for this user.
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", self.id)], order="id")
        handle = tempfile.TemporaryFile()
        used = set()
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            # The paths of the files the rules let through, read as superuser: the access
            # was checked by the search above.
            rows = attachments.sudo().with_context(prefetch_fields=False).read(
                ["datas_fname", "name", "store_fname"])
            for row in rows:
                name = safe_file_name(row["datas_fname"] or row["name"])
                stem, dot, extension = name.rpartition(".")
                if not dot:
                    stem, extension = name, ""
                unique, number = name, 1
                while unique.lower() in used:
                    number += 1
                    unique = "%s (%d)%s" % (stem, number, dot + extension)
                used.add(unique.lower())
                self._zip_attachment(archive, unique, row)
        handle.seek(0)
        return "%s-files.zip" % (self.reference or self.id), handle

    def _zip_attachment(self, archive, name, row):
        Attachment = self.env["ir.attachment"]
        if row["store_fname"]:
            path = Attachment._full_path(row["store_fname"])
            if os.path.isfile(path):
                archive.write(path, name)
                return
        # Stored in the database: this one file's bytes. Fixed SQL; the ID is a parameter, of
        # a file the user's search found (_attachments_zip).
        self.env.cr.execute("SELECT db_datas FROM ir_attachment WHERE id = %s", (row["id"],))
        data = self.env.cr.fetchone()[0]
        archive.writestr(name, bytes(data) if data else b"")
