from odoo import _, api, fields, models


class CrmLeadActivityLog(models.TransientModel):
    """Log an activity that already happened (a call, a meeting, a note...): stored in the
    chatter with its type, counted per type and per user in the activity analysis."""

    _name = "crm.lead.activity.log"
    _description = "Log an activity"

    lead_id = fields.Many2one("crm.lead", string="Opportunity", required=True, readonly=True)
    activity_type_id = fields.Many2one(
        "mail.activity.type", string="Activity type", required=True,
        domain="['|', ('res_model_id', '=', False), ('res_model_id.model', '=', 'crm.lead')]")
    summary = fields.Char()
    note = fields.Html()

    @api.model
    def default_get(self, field_names):
        values = super().default_get(field_names)
        if self.env.context.get("active_model") == "crm.lead":
            values["lead_id"] = self.env.context.get("active_id")
        return values

    @api.multi
    def action_log(self):
        self.ensure_one()
        self.lead_id.log_activity(self.activity_type_id, self.summary, self.note)
        return {"type": "ir.actions.act_window_close"}
