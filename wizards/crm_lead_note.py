from odoo import api, fields, models

from ..models.mail_activity import RECURRENCE_UNITS


class CrmLeadNote(models.TransientModel):
    """Write a note on an opportunity: tags, people to notify (as @mentions do), and an
    optional reminder ("alert me on <date>") that becomes a to-do, repeating if asked."""

    _name = "crm.lead.note"
    _inherit = ["crm.lead.wizard.mixin"]
    _description = "Add a note"

    body = fields.Html(string="Note", required=True)
    tag_ids = fields.Many2many("crm.note.tag", string="Tags")
    partner_ids = fields.Many2many("res.partner", string="Notify",
                                   help="Like @mentions: these people are notified.")
    remind_date = fields.Date(string="Alert on")
    remind_user_id = fields.Many2one("res.users", string="Alert",
                                     default=lambda self: self.env.user,
                                     domain=[("share", "=", False)])
    recurrence_interval = fields.Integer(string="Repeat every", default=0)
    recurrence_unit = fields.Selection(RECURRENCE_UNITS, string="Repeat unit", default="weeks")

    @api.multi
    def action_add(self):
        self.ensure_one()
        self.lead_id.add_note(self.body, tags=self.tag_ids, partners=self.partner_ids,
                              remind_date=self.remind_date, remind_user=self.remind_user_id,
                              recurrence=(self.recurrence_interval, self.recurrence_unit))
        return {"type": "ir.actions.act_window_close"}
