from odoo import api, fields, models


class CrmLeadWizardMixin(models.AbstractModel):
    """A dialog opened from an opportunity's form: the opportunity comes from the context."""

    _name = "crm.lead.wizard.mixin"
    _description = "Dialog opened from an opportunity"

    lead_id = fields.Many2one("crm.lead", string="Opportunity", required=True, readonly=True)

    @api.model
    def default_get(self, field_names):
        values = super().default_get(field_names)
        if self.env.context.get("active_model") == "crm.lead":
            values["lead_id"] = self.env.context.get("active_id")
        return values
