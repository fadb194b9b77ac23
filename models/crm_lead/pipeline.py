from datetime import date, datetime

import pytz

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError


class CrmLeadPipeline(models.Model):
    """The pipeline (kanban grouped by stage) on big databases.

    Each column of crm's kanban shows a progress bar of its opportunities' activity states
    (planned, today, overdue). Odoo's web client asks for it with read_progress_bar(), which
    reads every opportunity of the pipeline (not the 40 a column shows) and computes
    activity_state for each from its activities: about 20 s for a rep with 30,000
    opportunities, at every opening of the pipeline. Here the same counts come from one SQL
    query: the opportunities of the domain (the ORM's query, record rules and trash
    included) and the days to the earliest deadline of their activities, counted per stage
    and state. The cards of each column are found through an index, their activity states
    counted in the same way, and the cards read in bulk (cards.py)."""

    _inherit = "crm.lead"

    # crm's currency of the amounts (a kanban card shows it), with the user's rights: as
    # superuser it re-read every column of every card's opportunity (40 % of a column's
    # time). The opportunities a user reads are those of their company's tree (crm's global
    # multi-company rule), whose companies they read, and every user reads currencies.
    company_currency = fields.Many2one(related_sudo=False)
    # mail's summary of the next activity (a card's tooltip: the summary of the first of the
    # activities, in their order), with the user's rights and only that column of the
    # activities: as a related field (superuser) it re-read the cards' activities in a cache of
    # its own, every column of them (15 % of a column's CPU). Internal users read every
    # activity (mail has no read rule on them), and those of a card are read with the user's
    # rights for its activity widget anyway.
    activity_summary = fields.Char(related=False, compute="_compute_activity_summary")

    @api.model_cr
    def init(self):
        """An index in the order of crm's kanban columns (crm.lead's _order) per salesperson
        and stage: a column of "My pipeline" is read in 0.1 ms instead of sorting all of the
        salesperson's opportunities of that stage (60-110 ms for 20,000); and one its count
        is read from."""
        result = super().init()
        tools.create_index(self._cr, "crm_lead_pipeline_column_index", self._table, [
            "user_id", "stage_id", "priority DESC", "activity_date_deadline", "id DESC"])
        # The count of each column (the kanban's "N records", search_read_columns), from the
        # index alone: through the index above, PostgreSQL read each opportunity of the
        # column from the table to check that it is active and an opportunity (10 to 30 ms a
        # column for a salesperson with 30,000). Fixed SQL.
        self._cr.execute("""
            CREATE INDEX IF NOT EXISTS crm_lead_pipeline_count_index
            ON crm_lead (user_id, stage_id, id) WHERE active AND type = 'opportunity'""")
        return result

    @api.model
    def search_read_columns(self, columns, fields, order=None):
        """The cards of several kanban columns in one call (static/src/js/kanban_columns.js):
        for each column ({"domain", "offset", "limit"}) what /web/dataset/search_read answers,
        {"length": its count, "records": its cards}, searched and read with the user's rights
        as that route does. Each column is searched; the cards of all of them are read
        together, in one read(): what a card's read costs per call (the columns' query and
        rules, the names of the salespeople, stages, companies and currencies, tags,
        activities, items) is paid once per pipeline, not once per column."""
        if not isinstance(columns, list) or not all(isinstance(c, dict) for c in columns):
            raise UserError(_("The columns to read must be a list of searches."))
        # search_read()'s context for its read(): active_test was meant for the search only.
        reader = self.with_env(self.env(context={
            key: value for key, value in self._context.items() if key != "active_test"}))
        found, cards = [], reader.browse()
        for column in columns:
            domain = column.get("domain") or []
            offset, limit = column.get("offset") or 0, column.get("limit") or False
            records = self.search(domain, offset=offset, limit=limit, order=order)
            length = len(records) + offset if records else 0
            if records and limit and len(records) == limit:
                length = self.search_count(domain)
            found.append((records, length))
            cards |= reader.browse(records.ids)
        if fields == ["id"]:
            read = {id_: {"id": id_} for id_ in cards.ids}
        else:
            read = {row["id"]: row for row in cards.read(fields)}
        return [{"length": length, "records": [read[id_] for id_ in records.ids if id_ in read]}
                for records, length in found]

    @api.depends("line_ids")
    def _compute_has_lines(self):
        """Whether each opportunity has item lines the user reads (bool(line_ids)), from one
        query with the items' record rules instead of searching and reading the lines of the
        cards (a quarter of a kanban column's CPU). In a form being edited, the lines there."""
        if not self._saved():
            return super()._compute_has_lines()
        with_lines = self._ids_with_lines(self.ids)
        for lead in self:
            lead.has_lines = lead.id in with_lines
        return None

    def _ids_with_lines(self, lead_ids):
        """The ids among ``lead_ids`` of the opportunities with item lines the user reads."""
        Line = self.env["crm.lead.line"]
        Line.check_access_rights("read")
        query = Line._where_calc([("lead_id", "in", list(lead_ids))])
        Line._apply_ir_rules(query, "read")
        from_clause, where_clause, params = query.get_sql()
        self.env.cr.execute('SELECT DISTINCT "crm_lead_line".lead_id FROM %s WHERE %s' % (
            from_clause, where_clause or "TRUE"), params)
        return {lead_id for (lead_id,) in self.env.cr.fetchall()}

    @api.depends("value_amount", "value_basis", "value_duration", "line_ids", "amount_untaxed")
    def _compute_value_total(self):
        """value.py's total, whether there are lines told by has_lines (one query for all)."""
        if not self._saved():
            return super()._compute_value_total()
        for lead in self:
            lead.value_total = lead.amount_untaxed if lead.has_lines else lead._typed_total(
                lead.value_amount, lead.value_basis, lead.value_duration)
        return None

    def _saved(self):
        """Saved opportunities outside a form being edited (onchange): what they show can be
        counted in the database."""
        return not self.env.in_onchange and all(isinstance(i, int) for i in self.ids)

    @api.depends("activity_ids.summary")
    def _compute_activity_summary(self):
        activities = self.mapped("activity_ids")
        stored = activities.filtered(lambda activity: isinstance(activity.id, int))
        if stored:
            stored.read(["summary"])
        for lead in self:
            lead.activity_summary = lead.activity_ids[:1].summary

    @api.depends("activity_ids.state")
    def _compute_activity_state(self):
        """Mail's state (overdue, else today, else planned), from one query for all these
        opportunities: mail reads each card's activities, their assignees and time zones
        with the ORM (a quarter of a kanban column's CPU). In a form being edited (onchange,
        new records), mail's own computation on the values in the form."""
        if not self._saved():
            return super()._compute_activity_state()
        states = dict(self._activity_due(self.ids))
        for lead in self:
            lead.activity_state = _state(states.get(lead.id))
        return None

    @api.model
    def read_progress_bar(self, domain, group_by, progress_bar):
        if group_by != "stage_id" or not isinstance(progress_bar, dict) \
                or progress_bar.get("field") != "activity_state":
            return super().read_progress_bar(domain, group_by, progress_bar)
        self.check_access_rights("read")
        query = self._where_calc(domain or [])
        self._apply_ir_rules(query, "read")
        from_clause, where_clause, params = query.get_sql()
        # The ORM's own query of the domain and record rules (values passed as parameters):
        # the opportunities counted per stage and state in the database.
        # DISTINCT only when the rules or the domain join other tables (one row per
        # opportunity otherwise: hashing the 30,000 of a rep took a quarter of the query).
        leads = 'SELECT %s"crm_lead".id, "crm_lead".stage_id FROM %s WHERE %s' % (
            "DISTINCT " if len(query.tables) > 1 else "", from_clause, where_clause or "TRUE")
        due, due_params = self._activity_due_query("SELECT id FROM lead", [])
        self.env.cr.execute("""
            WITH lead AS (%s), due AS (%s)
            SELECT lead.stage_id, due.days, count(*)
            FROM lead LEFT JOIN due ON due.res_id = lead.id
            GROUP BY lead.stage_id, due.days
        """ % (leads, due), params + due_params)
        rows = self.env.cr.fetchall()
        # The column's title, as read_progress_bar keys it: the stage's display name.
        names = dict(self.env["crm.stage"].browse(
            {stage for stage, _days, _count in rows if stage}).name_get())
        colors = progress_bar.get("colors") or {}
        data = {}
        for stage_id, days, count in rows:
            counts = data.setdefault(names[stage_id] if stage_id else False,
                                     dict.fromkeys(colors, 0))
            state = _state(days)
            if state in counts:
                counts[state] += count
        return data

    def _activity_due(self, lead_ids):
        """[(opportunity id, days to its earliest activity)] of those that have activities."""
        if not lead_ids:
            return []
        query, params = self._activity_due_query("SELECT unnest(%s::int[])", [list(lead_ids)])
        self.env.cr.execute(query, params)
        return self.env.cr.fetchall()

    def _activity_due_query(self, leads, leads_params):
        """SQL and parameters: per opportunity among ``leads`` (SQL: a subquery of their ids,
        with its parameters ``leads_params``) that has activities, the days
        from today to its earliest deadline, each activity's today being its assignee's in
        their time zone (mail.activity's state). Plain columns of the activities of
        opportunities the user reads (the caller's): the assignees' time zones only."""
        # Today in each time zone users have (a few), computed as mail does, with pytz.
        self.env.cr.execute("""
            SELECT DISTINCT partner.tz FROM res_users users
            JOIN res_partner partner ON partner.id = users.partner_id
            WHERE partner.tz IS NOT NULL AND partner.tz != ''
        """)
        now = pytz.UTC.localize(datetime.utcnow())
        zones, days = [], []
        for (zone,) in self.env.cr.fetchall():
            try:
                days.append(now.astimezone(pytz.timezone(zone)).date())
            except pytz.UnknownTimeZoneError:
                continue   # not one of Odoo's choices (imported data): the server's day
            zones.append(zone)
        query = """
            SELECT activity.res_id,
                   MIN(activity.date_deadline - COALESCE(zone.today, %%s::date)) AS days
            FROM mail_activity activity
            JOIN (%s) AS lead_ids(id) ON lead_ids.id = activity.res_id
            LEFT JOIN res_users users ON users.id = activity.user_id
            LEFT JOIN res_partner partner ON partner.id = users.partner_id
            LEFT JOIN unnest(%%s::varchar[], %%s::date[]) AS zone(tz, today)
                   ON zone.tz = partner.tz
            WHERE activity.res_model = %%s AND activity.date_deadline IS NOT NULL
            GROUP BY activity.res_id
        """ % leads
        # Joined rather than "res_id IN (leads)": the database then hashes the activities
        # instead of the 30,000 opportunities of a rep's pipeline (read_progress_bar).
        return query, [date.today()] + list(leads_params) + [zones, days, self._name]


def _state(days):
    """mail.activity.mixin's activity_state from the days to the earliest deadline."""
    if days is None:
        return False
    return "overdue" if days < 0 else "today" if days == 0 else "planned"
