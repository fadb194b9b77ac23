from collections import defaultdict
from datetime import date, datetime

import pytz

from odoo import api, fields, models, tools


class CrmLeadPipeline(models.Model):
    """The pipeline (kanban grouped by stage) on big databases.

    Each column of crm's kanban shows a progress bar of its opportunities' activity states
    (planned, today, overdue). Odoo's web client asks for it with read_progress_bar(), which
    reads every opportunity of the pipeline (not the 40 a column shows) and computes
    activity_state for each from its activities: about 20 s for a rep with 30,000
    opportunities, at every opening of the pipeline. Here the same counts come from two SQL
    queries: the opportunities of the domain (the ORM's query, record rules and trash
    included) and the earliest deadline of their activities per assignee. The cards of each
    column are read with their activities at once and found through an index."""

    _inherit = "crm.lead"

    # crm's currency of the amounts (a kanban card shows it), with the user's rights: as
    # superuser it re-read every column of every card's opportunity (40 % of a column's
    # time). The opportunities a user reads are those of their company's tree (crm's global
    # multi-company rule), whose companies they read, and every user reads currencies.
    company_currency = fields.Many2one(related_sudo=False)

    @api.model_cr
    def init(self):
        """An index in the order of crm's kanban columns (crm.lead's _order) per salesperson
        and stage: a column of "My pipeline" is read in 0.1 ms instead of sorting all of the
        salesperson's opportunities of that stage (60-110 ms for 20,000)."""
        result = super().init()
        tools.create_index(self._cr, "crm_lead_pipeline_column_index", self._table, [
            "user_id", "stage_id", "priority DESC", "activity_date_deadline", "id DESC"])
        return result

    @api.depends("activity_ids.state")
    def _compute_activity_state(self):
        """Mail's computation, after the states of all these opportunities' activities are
        computed at once: mail reads each opportunity's activities with a query of its own
        (one per card of a kanban column)."""
        self.mapped("activity_ids").mapped("state")
        return super()._compute_activity_state()

    @api.model
    def read_progress_bar(self, domain, group_by, progress_bar):
        if group_by != "stage_id" or not isinstance(progress_bar, dict) \
                or progress_bar.get("field") != "activity_state":
            return super().read_progress_bar(domain, group_by, progress_bar)
        self.check_access_rights("read")
        query = self._where_calc(domain or [])
        self._apply_ir_rules(query, "read")
        from_clause, where_clause, params = query.get_sql()
        # The ORM's own query of the domain and record rules (values passed as parameters).
        self.env.cr.execute('SELECT DISTINCT "crm_lead".id, "crm_lead".stage_id FROM %s WHERE %s'
                            % (from_clause, where_clause or "TRUE"), params)
        stage_of = dict(self.env.cr.fetchall())
        states = self._activity_states(list(stage_of))
        # The column's title, as read_progress_bar keys it: the stage's display name.
        names = dict(self.env["crm.stage"].browse(
            {stage for stage in stage_of.values() if stage}).name_get())
        colors = progress_bar.get("colors") or {}
        data = {}
        for lead_id, stage_id in stage_of.items():
            counts = data.setdefault(names[stage_id] if stage_id else False,
                                     dict.fromkeys(colors, 0))
            state = states.get(lead_id)
            if state in counts:
                counts[state] += 1
        return data

    def _activity_states(self, lead_ids):
        """{opportunity id: activity_state} of those that have activities, as mail computes
        it: overdue, else today, else planned; each activity's day counted in its assignee's
        time zone."""
        if not lead_ids:
            return {}
        # Plain columns of the activities of opportunities the user may read (above).
        self.env.cr.execute("""
            SELECT res_id, user_id, MIN(date_deadline) FROM mail_activity
            WHERE res_model = %s AND res_id = ANY(%s) AND date_deadline IS NOT NULL
            GROUP BY res_id, user_id
        """, (self._name, lead_ids))
        rows = self.env.cr.fetchall()
        # As superuser: only the assignees' time zones, as mail.activity reads them.
        zones = {user.id: user.tz for user in self.env["res.users"].sudo().browse(
            {user_id for _lead, user_id, _deadline in rows if user_id})}
        today = {}
        now = pytz.UTC.localize(datetime.utcnow())
        for user_id in set(zones) | {None}:
            zone = zones.get(user_id)
            today[user_id] = now.astimezone(pytz.timezone(zone)).date() if zone \
                else date.today()
        earliest = defaultdict(list)
        for lead_id, user_id, deadline in rows:
            day = today[user_id if user_id in zones else None]
            earliest[lead_id].append((fields.Date.from_string(deadline) - day).days)
        return {lead_id: "overdue" if min(days) < 0 else "today" if min(days) == 0
                else "planned" for lead_id, days in earliest.items()}
