from odoo import api, fields, models


class CrmLeadMissionImport(models.TransientModel):
    """Link an existing mission to an opportunity by its reference."""

    _name = "crm.lead.mission.import"
    _inherit = ["crm.lead.wizard.mixin"]
    _description = "Import a mission by its reference"

    reference = fields.Char(required=True, help="Reference of the mission, e.g. PT0042.")

    @api.multi
    def action_import(self):
        self.ensure_one()
        self.lead_id.link_mission(self.reference)
        return {"type": "ir.actions.act_window_close"}
