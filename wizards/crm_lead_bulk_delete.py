from odoo import _, api, models
from odoo.exceptions import UserError


class CrmLeadBulkDelete(models.TransientModel):
    """Delete the selected or all filtered opportunities (several at once: sales managers,
    as the list's own Delete); they go to the trash, those already there are deleted for
    good."""

    _name = "crm.lead.bulk.delete"
    _inherit = "crm.list.selection.mixin"
    _description = "Delete opportunities in bulk"

    @api.multi
    def action_delete(self):
        self.ensure_one()
        leads = self._list_records(self.use_domain)
        if not leads:
            raise UserError(_("There is no opportunity to delete."))
        count = len(leads)
        # unlink() holds the rules: one at a time for reps, write access, the trash.
        leads.unlink()
        return {"type": "ir.actions.act_window_close", "infos": {"deleted": count}}
