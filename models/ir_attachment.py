from odoo import _, api, fields, models
from odoo.exceptions import AccessError

VISIBILITIES = [
    ("internal", "Internal users"),
    ("mission", "Mission resources"),
    ("both", "Internal users and mission resources"),
]


class IrAttachment(models.Model):
    """Who sees a file attached to an opportunity: its sales users ("internal users"), the
    users assigned to its missions ("mission resources"), or both. Enforced by record rules
    (security/crm_opportunity_suite_security.xml); other attachments are not concerned."""

    _inherit = "ir.attachment"

    cos_visibility = fields.Selection(VISIBILITIES, string="Visible to", default="internal",
                                      required=True)
    cos_resource_user_ids = fields.Many2many(
        "res.users", string="Mission resources", compute="_compute_cos_resource_user_ids",
        search="_search_cos_resource_user_ids",
        help="Users assigned to the missions of the opportunity the file is attached to.")
    cos_tag_ids = fields.Many2many("crm.file.tag", string="Tags")

    @api.multi
    def action_cos_download(self):
        """The file's download link (a button of the opportunity's Files tab)."""
        self.ensure_one()
        self.check("read")
        self.check_access_rule("read")
        return {
            "type": "ir.actions.act_url",
            "target": "self",
            "url": "/web/content/%d?download=true" % self.id,
        }

    def _cos_check_own_uploads(self, message):
        """Refuse (AccessError ``message``) unless these are files the user just uploaded in
        a dialog: theirs, attached to no record and to no field. A dialog that attaches them
        elsewhere (an opportunity) or hands them to the mail queue (read as superuser) would
        otherwise do so with any attachment ID a client names."""
        if not self:
            return
        # Fixed SQL; the ids and the user are parameters.
        self.env.cr.execute("SELECT id FROM ir_attachment WHERE id IN %s AND ("
                            "create_uid IS DISTINCT FROM %s OR coalesce(res_id, 0) != 0 OR "
                            "res_field IS NOT NULL)", (tuple(self.ids), self.env.uid))
        if self.env.cr.fetchall() or len(self.exists()) != len(self):
            raise AccessError(message)
        self.check("read")

    def _compute_cos_resource_user_ids(self):
        for attachment in self:
            users = self.env["res.users"]
            if attachment.res_model == "crm.lead" and attachment.res_id:
                # As superuser: only who is assigned to the opportunity's missions, which decides
                # who may see the file.
                users = self.env["project.task"].sudo().search([
                    ("opportunity_id", "=", attachment.res_id),
                    ("is_mission", "=", True)]).mapped("user_id")
            attachment.cos_resource_user_ids = users

    def _search_cos_resource_user_ids(self, operator, value):
        if operator not in ("=", "in"):
            return [("id", "=", 0)]
        user_ids = value if isinstance(value, (list, tuple)) else [value]
        # Fixed SQL; the user ids from the domain are a parameter.
        self.env.cr.execute(
            "SELECT DISTINCT opportunity_id FROM project_task WHERE is_mission AND active "
            "AND opportunity_id IS NOT NULL AND user_id IN %s", (tuple(user_ids) or (0,),))
        lead_ids = [row[0] for row in self.env.cr.fetchall()]
        return ["&", ("res_model", "=", "crm.lead"), ("res_id", "in", lead_ids)]
