from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CrmLeadDuplicate(models.TransientModel):
    """Duplicate an opportunity under a new name (action menu)."""

    _name = "crm.lead.duplicate"
    _description = "Duplicate an opportunity"

    lead_id = fields.Many2one("crm.lead", string="Opportunity", required=True, readonly=True)
    name = fields.Char(string="New name", required=True)

    @api.model
    def default_get(self, field_names):
        values = super().default_get(field_names)
        context = self.env.context
        if context.get("active_model") == "crm.lead":
            ids = context.get("active_ids") or [context.get("active_id")]
            if len(ids) != 1:
                raise UserError(_("Select one opportunity to duplicate."))
            lead = self.env["crm.lead"].browse(ids)
            values.update(lead_id=lead.id, name=_("%s (copy)") % lead.name)
        return values

    @api.multi
    def action_duplicate(self):
        self.ensure_one()
        copy = self.lead_id.duplicate_as(self.name)
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.lead",
            "res_id": copy.id,
            "view_mode": "form",
            "views": [(self.env.ref("crm.crm_case_form_view_oppor").id, "form")],
            "target": "current",
        }
