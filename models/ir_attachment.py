from odoo import fields, models

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
