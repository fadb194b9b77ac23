from collections import defaultdict

from odoo import api, fields, models

STATUSES = [
    ("open", "Open"),
    ("hold", "On hold"),
    ("won", "Won"),
    ("lost", "Lost"),
]
OPEN_STATUSES = ("open", "hold")


class CrmLeadStatus(models.Model):
    """Where the opportunity stands (open, on hold, won, lost), derived from crm's probability
    and archiving, and writable: writing it does what crm's buttons do."""

    _inherit = "crm.lead"

    on_hold = fields.Boolean(string="On hold", copy=False)
    status = fields.Selection(
        STATUSES, compute="_compute_status", inverse="_inverse_status", store=True, index=True,
        track_visibility="onchange",
        help="Open and On hold opportunities are in the pipeline; Won means probability 100%; "
             "Lost means archived with probability 0%.")

    @api.depends("active", "probability", "on_hold")
    def _compute_status(self):
        for lead in self:
            if lead.probability >= 100:
                lead.status = "won"
            elif not lead.active:
                lead.status = "lost"
            elif lead.on_hold:
                lead.status = "hold"
            else:
                lead.status = "open"

    def _inverse_status(self):
        # Batched by outcome: bulk closes and imports set the status of many leads at once. The
        # stored state is read in SQL: filtering through the ORM read every column of every
        # lead again after each write. Fixed SQL, the ids as a parameter: write() checked
        # these leads before it runs the inverse.
        self.env.cr.execute("SELECT id, probability, active, on_hold, team_id FROM crm_lead "
                            "WHERE id IN %s", (tuple(self.ids) or (0,),))
        stored = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        wanted = defaultdict(list)
        for lead in self:
            wanted[lead.status].append(lead.id)
        to_win = [i for i in wanted["won"] if i in stored
                  and (stored[i][0] < 100 or not stored[i][1])]
        reactivate = [i for i in to_win if not stored[i][1] or stored[i][2]]
        if reactivate:
            self.browse(reactivate).write({"active": True, "on_hold": False})
        by_team = defaultdict(list)
        for lead_id in to_win:
            by_team[stored[lead_id][3]].append(lead_id)
        for lead_ids in by_team.values():
            # Odoo's action_set_won(), for a whole team at once.
            leads = self.browse(lead_ids)
            stage = leads[:1]._stage_find(
                domain=[("probability", "=", 100.0), ("on_change", "=", True)])
            leads.write({"stage_id": stage.id, "probability": 100})
        to_lose = [i for i in wanted["lost"] if i in stored and (stored[i][1] or stored[i][0])]
        if to_lose:
            self.browse(to_lose).write({"active": False, "probability": 0, "on_hold": False})
        for status in OPEN_STATUSES:
            for lead in self.browse(wanted[status]):
                lead._reopen_as(on_hold=status == "hold")

    def _reopen_as(self, on_hold):
        """Bring a lead back in the pipeline, open or on hold, leaving won/lost semantics."""
        self.ensure_one()
        vals = {"on_hold": on_hold}
        if not self.active:
            vals["active"] = True
        if self.probability >= 100 or not self.active:
            stage = self.stage_before_close_id or self.stage_id
            if stage.probability >= 100:
                stage = self._stage_find(domain=[("probability", "<", 100)])
            if stage != self.stage_id:
                vals["stage_id"] = stage.id
            vals["probability"] = (self.probability_tag_id.percentage
                                   if self.probability_tag_id else stage.probability)
            if vals["probability"] >= 100:
                vals["probability"] = 0
            vals["lost_reason"] = False
        self.write(vals)

    @api.multi
    def action_put_on_hold(self):
        self.write({"status": "hold"})

    @api.multi
    def action_resume(self):
        self.write({"status": "open"})
