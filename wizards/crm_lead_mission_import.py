from odoo import api, fields, models


class CrmLeadMissionImport(models.TransientModel):
    """Link an existing mission to an opportunity by its reference."""

    _name = "crm.lead.mission.import"
    _description = "Import a mission by its reference"

    lead_id = fields.Many2one("crm.lead", string="Opportunity", required=True, readonly=True)
    reference = fields.Char(required=True, help="Reference of the mission, e.g. PT0042.")

    @api.model
    def default_get(self, field_names):
        values = super().default_get(field_names)
        if self.env.context.get("active_model") == "crm.lead":
            values["lead_id"] = self.env.context.get("active_id")
        return values

    @api.multi
    def action_import(self):
        self.ensure_one()
        self.lead_id.link_mission(self.reference)
        return {"type": "ir.actions.act_window_close"}
