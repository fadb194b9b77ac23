from odoo import api, fields, models


class CrmLeadActivityLog(models.TransientModel):
    """Log an activity that already happened (a call, a meeting, a note...): stored in the
    chatter with its type, counted per type and per user in the activity analysis."""

    _name = "crm.lead.activity.log"
    _inherit = ["crm.lead.wizard.mixin"]
    _description = "Log an activity"

    activity_type_id = fields.Many2one(
        "mail.activity.type", string="Activity type", required=True,
        domain="['|', ('res_model_id', '=', False), ('res_model_id.model', '=', 'crm.lead')]")
    summary = fields.Char()
    note = fields.Html()

    @api.multi
    def action_log(self):
        self.ensure_one()
        self.lead_id.log_activity(self.activity_type_id, self.summary, self.note)
        return {"type": "ir.actions.act_window_close"}
