from odoo import api, fields, models

from ..models.ir_attachment import VISIBILITIES


class CrmLeadFileUpload(models.TransientModel):
    """Upload files to an opportunity, saying who may see them (its internal users, its
    mission resources or both) and tagging them."""

    _name = "crm.lead.file.upload"
    _inherit = ["crm.lead.wizard.mixin"]
    _description = "Upload files to an opportunity"

    attachment_ids = fields.Many2many("ir.attachment", string="Files")
    visibility = fields.Selection(
        VISIBILITIES, string="Visible to", required=True,
        help="Internal users: the sales users who see the opportunity. Mission resources: "
             "the users assigned to its missions. Sales managers see every file.")
    tag_ids = fields.Many2many("crm.file.tag", string="Tags")

    @api.multi
    def action_upload(self):
        """Attach the uploaded files to the opportunity with the chosen visibility and tags."""
        self.ensure_one()
        return self.lead_id._cos_add_files(self.attachment_ids, self.visibility, self.tag_ids)

