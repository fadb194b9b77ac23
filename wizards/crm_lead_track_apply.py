from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CrmLeadTrackApply(models.TransientModel):
    """Apply a track to one opportunity (form button), to the selected ones or to all those of
    the current filter (list)."""

    _name = "crm.lead.track.apply"
    _inherit = "crm.list.selection.mixin"
    _description = "Apply a track"

    track_id = fields.Many2one("crm.track", string="Track", required=True)
    end_date = fields.Date(string="End date", required=True,
                           help="The tasks are due a number of working days before this date.")
    lead_ids = fields.Many2many("crm.lead", string="Opportunities")
    lead_count = fields.Integer(compute="_compute_lead_count", string="Opportunities")
    background_note = fields.Char(compute="_compute_background_note",
                                  string="In the background")

    @api.model
    def default_get(self, field_names):
        values = super().default_get(field_names)
        leads = self._selected_records()
        if leads:
            values["lead_ids"] = [(6, 0, leads.ids)]
            deadlines = set(leads.mapped("date_deadline"))
            if len(deadlines) == 1 and not values.get("end_date"):
                values["end_date"] = deadlines.pop() or False
        return values

    @api.depends("lead_ids")
    def _compute_lead_count(self):
        for wizard in self:
            wizard.lead_count = len(wizard.lead_ids)

    @api.depends("use_domain", "lead_ids", "domain_count")
    def _compute_background_note(self):
        Operation = self.env["crm.background.operation"]
        for wizard in self:
            count = wizard.domain_count if wizard.use_domain else len(wizard.lead_ids)
            wizard.background_note = Operation._background_note("track", count)

    @api.multi
    def action_apply(self):
        self.ensure_one()
        leads = self._list_records(True) if self.use_domain else self.lead_ids
        if not leads:
            raise UserError(_("Select the opportunities to apply the track to."))
        Operation = self.env["crm.background.operation"]
        if len(leads) > Operation._threshold("track"):
            # What the job would refuse at once is refused now (it checks it all again).
            self.track_id._check_applicable()
            leads.check_access_rights("write")
            leads.check_access_rule("write")
            name = _("Add the track \"%(track)s\" to %(count)d opportunities") % {
                "track": self.track_id.name, "count": len(leads)}
            return Operation._start("track", name, leads, {
                "track_id": self.track_id.id, "end_date": self.end_date}).action_open()
        leads.apply_track(self.track_id, self.end_date)
        return {"type": "ir.actions.act_window_close"}
