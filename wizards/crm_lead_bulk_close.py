from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CrmLeadBulkClose(models.TransientModel):
    """Close the selected or all filtered opportunities as won or lost (sales managers)."""

    _name = "crm.lead.bulk.close"
    _inherit = "crm.list.selection.mixin"
    _description = "Close opportunities in bulk"

    outcome = fields.Selection([("won", "Won"), ("lost", "Lost")], required=True,
                               default="lost")
    lost_reason_id = fields.Many2one("crm.lost.reason", string="Lost reason")

    @api.multi
    def action_close(self):
        self.ensure_one()
        if self.outcome == "lost" and not self.lost_reason_id:
            raise UserError(_("Give the lost reason of the opportunities closed as lost."))
        leads = self._list_records(self.use_domain)
        if not leads:
            raise UserError(_("There is no opportunity to close."))
        count = leads.action_close(won=self.outcome == "won", lost_reason=self.lost_reason_id)
        return {"type": "ir.actions.act_window_close", "infos": {"closed": count}}
