import os
import re
import tempfile
import unicodedata
import zipfile
from html import escape as html_escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..ir_attachment import VISIBILITIES

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
    cos_file_ids = fields.One2many(
        "ir.attachment", "res_id", string="Files", domain=[("res_model", "=", "crm.lead")],
        help="The files of the opportunity that you may see. Add them with Upload files.")

    @api.model
    def create(self, vals):
        if vals.get("cos_file_ids"):
            raise UserError(_("Save the opportunity, then add its files with Upload files."))
        vals.pop("cos_file_ids", None)
        return super().create(vals)

    @api.multi
    def write(self, vals):
        if "cos_file_ids" in vals:
            self._cos_check_file_commands(vals["cos_file_ids"])
        return super().write(vals)

    def _cos_check_file_commands(self, commands):
        """The Files tab changes the opportunity's own files only: their name, visibility and
        tags (1), or deletes them (2); (4) on one of its files is the web client's "no
        change". Files are added by Upload files (which asks their visibility), never by
        linking an attachment of another record here."""
        # Fixed SQL; the ids are a parameter. Which files belong to these opportunities,
        # whoever may see them: a command on another one is refused either way.
        self.env.cr.execute("SELECT id FROM ir_attachment WHERE res_model = 'crm.lead' AND "
                            "res_id IN %s", (tuple(self.ids) or (0,),))
        own = {row[0] for row in self.env.cr.fetchall()}
        editable = {"name", "cos_visibility", "cos_tag_ids"}
        for command in commands or ():
            if not isinstance(command, (list, tuple)) or not command:
                raise UserError(_("Files are added with Upload files."))
            code = command[0]
            target = command[1] if len(command) > 1 else None
            if code in (1, 2, 4) and target in own and (
                    code != 1 or set(command[2] or {}) <= editable):
                continue
            raise UserError(_("Files are added with Upload files; in the Files tab only their "
                              "name, visibility and tags change."))

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

    def _cos_add_files(self, attachments, visibility, tags):
        """Attach ``attachments`` (files the user just uploaded, attached to nothing yet) to
        this opportunity, visible to ``visibility``, tagged ``tags`` (the Upload dialog).
        Needs the right to edit the opportunity."""
        self.ensure_one()
        if not attachments:
            raise UserError(_("Choose the files to upload."))
        if visibility not in dict(VISIBILITIES):
            raise UserError(_("Say who may see the files."))
        self.check_access_rights("write")
        self.check_access_rule("write")
        attachments._cos_check_own_uploads(_("Only files you upload in this dialog can be "
                                             "added to the opportunity."))
        tags.check_access_rights("read")
        tags.check_access_rule("read")
        # As the user: ir.attachment checks the right to edit the opportunity again.
        attachments.write({
            "res_model": "crm.lead", "res_id": self.id, "public": False,
            "cos_visibility": visibility, "cos_tag_ids": [(6, 0, tags.ids)]})
        labels = dict(self.env["ir.attachment"].fields_get(
            ["cos_visibility"])["cos_visibility"]["selection"])
        self._post_bulk_notes({self.id: _("<p>Files added (visible to: %(visibility)s): "
                                          "%(names)s.</p>") % {
            "visibility": html_escape(labels[visibility]),
            "names": html_escape(", ".join(attachments.sorted("id").mapped("name")))}})
        return {"type": "ir.actions.act_window_close"}

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
