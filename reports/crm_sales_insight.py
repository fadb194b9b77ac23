from collections import OrderedDict
from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..lib import insights

MAX_MONTHS = 36
# Memory for the hash tables of the insights' queries (set for them only).
WORK_MEM = "64MB"
# An opportunity in the pipeline due in the coming month (its bounds are parameters).
NEXT_MONTH = ("crm_lead.type = 'opportunity' AND crm_lead.status IN ('open', 'hold') "
              "AND crm_lead.date_deadline >= %s AND crm_lead.date_deadline <= %s")


class CrmSalesInsight(models.AbstractModel):
    """Sales insights computed in SQL: conversion, win rate and cycle time, performance per
    rep, weighted pipeline per owner for the coming months, what each team has open in the
    coming month. Trashed opportunities never count. Values are expected revenues in the
    company currency (Odoo converts them there)."""

    _name = "crm.sales.insight"
    _description = "Sales insights"

    @api.model
    def _readable(self, alias):
        """SQL condition (and its parameters) keeping the opportunities the user may read:
        Odoo's own record rules of crm.lead (own or all opportunities, companies, missions,
        trash), applied by the ORM to a query on crm_lead. When that query reads crm_lead
        alone and the figures' queries name the table crm_lead too, its condition applies to
        their rows as it is; otherwise they keep the ids it selects."""
        Lead = self.env["crm.lead"].with_context(active_test=False)
        Lead.check_access_rights("read")
        if self.env.uid == SUPERUSER_ID:
            return None, []
        query = Lead._where_calc([])
        Lead._apply_ir_rules(query, "read")
        from_clause, where_clause, params = query.get_sql()
        if alias == Lead._table and from_clause == '"%s"' % Lead._table:
            return "(%s)" % (where_clause or "TRUE"), list(params)
        return ('%s.id IN (SELECT "crm_lead".id FROM %s WHERE %s)' % (
            alias, from_clause, where_clause or "TRUE"), list(params))

    @staticmethod
    def _clean_filters(filters):
        """The filters as the queries expect them (ids, dates): anything else is refused, not
        passed on."""
        clean = {}
        for key in ("date_from", "date_to"):
            if filters.get(key):
                clean[key] = fields.Date.to_string(fields.Date.from_string(filters[key]))
        for key in ("team_ids", "user_ids", "probability_tag_ids", "tag_ids"):
            values = filters.get(key) or []
            if not isinstance(values, (list, tuple)) or not all(
                    isinstance(value, int) and not isinstance(value, bool) for value in values):
                raise UserError(_("Invalid filter: %(name)s.") % {"name": key})
            if values:
                clean[key] = list(values)
        if filters.get("company_id"):
            clean["company_id"] = int(filters["company_id"])
        return clean

    @api.model
    def _where(self, filters, alias="crm_lead"):
        """SQL condition and parameters of the filters: period (creation date), teams,
        owners, tags, probability tags; and of what the user may read."""
        clauses = ["%s.trash_date IS NULL" % alias]
        params = []
        readable, readable_params = self._readable(alias)
        if readable:
            clauses.append(readable)
            params += readable_params
        if filters.get("date_from"):
            clauses.append("%s.create_date >= %%s" % alias)
            params.append(filters["date_from"])
        if filters.get("date_to"):
            clauses.append("%s.create_date < %%s::date + 1" % alias)
            params.append(filters["date_to"])
        for key, column in (("team_ids", "team_id"), ("user_ids", "user_id"),
                            ("probability_tag_ids", "probability_tag_id")):
            if filters.get(key):
                clauses.append("%s.%s IN %%s" % (alias, column))
                params.append(tuple(filters[key]))
        if filters.get("tag_ids"):
            clauses.append("EXISTS (SELECT 1 FROM crm_lead_tag_rel r WHERE r.lead_id = %s.id "
                           "AND r.tag_id IN %%s)" % alias)
            params.append(tuple(filters["tag_ids"]))
        if filters.get("company_id"):
            clauses.append("%s.company_id = %%s" % alias)
            params.append(filters["company_id"])
        return " AND ".join(clauses), params

    @api.model
    def compute(self, filters=None, months=3, today=None):
        """Every figure of the sales insights, as plain Python data (lists of dicts)."""
        filters = self._clean_filters(dict(filters or {}))
        if filters.get("company_id") and filters["company_id"] not in \
                self.env.user.company_ids.ids:
            raise AccessError(_("You may not see the figures of this company."))
        months = int(months or 3)
        if not 1 <= months <= MAX_MONTHS:
            raise UserError(_("Show between 1 and %(max)d coming months.") % {"max": MAX_MONTHS})
        today = fields.Date.from_string(today) if today else date.today()
        start = today.replace(day=1)
        bounds = [start + relativedelta(months=n) for n in range(months + 1)]
        next_start = today + relativedelta(days=1)
        next_end = today + relativedelta(months=1)
        where, params = self._where(filters)
        cr = self.env.cr
        # Two scans of a large table, no just-in-time compilation (it took longer than the
        # queries), hash tables in memory; restored afterwards. Fixed SQL.
        cr.execute("SELECT current_setting('jit'), current_setting('work_mem')")
        settings = cr.fetchone()
        cr.execute("SELECT set_config('jit', 'off', true), set_config('work_mem', %s, true)",
                   (WORK_MEM,))
        try:
            groups = self._groups(where, params, bounds, next_start, next_end)
            activities = self._activities(where, params)
        finally:
            cr.execute("SELECT set_config('jit', %s, true), set_config('work_mem', %s, true)",
                       settings)
        # Fixed SQL: every stage, for the funnel's order (names as stored).
        cr.execute("SELECT id, name, sequence, probability FROM crm_stage")
        stages = cr.fetchall()
        result = OrderedDict()
        result["by_month"], result["by_quarter"], result["summary"] = insights.conversion(
            groups)
        result["by_stage"] = insights.funnel(groups, stages)
        result["reps"] = insights.reps(groups, activities)
        result["months"] = [bound.strftime("%Y-%m") for bound in bounds[:-1]]
        result["pipeline"] = insights.pipeline(groups, result["months"])
        result["teams_next_month"] = insights.teams_next_month(groups)
        return result

    def _groups(self, where, params, bounds, next_start, next_end):
        """One scan of the opportunities and leads: their counts and sums per creation month,
        type, status, owner, stage, team and month of the pipeline window they fall in."""
        # Identifiers are fixed: _where() formats in only fixed names and the ORM's rule
        # query; every value (filters cleaned above) is a parameter.
        self.env.cr.execute("""
            SELECT date_trunc('month', crm_lead.create_date), crm_lead.type = 'opportunity',
                   crm_lead.status, crm_lead.user_id, crm_lead.stage_id, crm_lead.team_id,
                   CASE WHEN crm_lead.type = 'opportunity'
                             AND crm_lead.status IN ('open', 'hold')
                             AND crm_lead.date_deadline >= %%s AND crm_lead.date_deadline < %%s
                        THEN to_char(date_trunc('month', crm_lead.date_deadline), 'YYYY-MM')
                   END,
                   count(*),
                   sum(crm_lead.planned_revenue) FILTER (WHERE crm_lead.status = 'won'),
                   sum(crm_lead.planned_revenue * crm_lead.probability / 100.0),
                   sum(EXTRACT(EPOCH FROM (crm_lead.date_closed - crm_lead.create_date))
                       / 86400.0) FILTER (WHERE crm_lead.status = 'won'
                                          AND crm_lead.date_closed IS NOT NULL),
                   count(*) FILTER (WHERE crm_lead.status = 'won'
                                    AND crm_lead.date_closed IS NOT NULL),
                   count(*) FILTER (WHERE %(next)s),
                   sum(crm_lead.planned_revenue) FILTER (WHERE %(next)s),
                   sum(crm_lead.planned_revenue * crm_lead.probability / 100.0)
                       FILTER (WHERE %(next)s)
            FROM crm_lead WHERE %(where)s
            GROUP BY 1, 2, 3, 4, 5, 6, 7""" % {"where": where, "next": NEXT_MONTH},
            [bounds[0], bounds[-1]] + [next_start, next_end] * 3 + params)
        return [insights.Group(*row) for row in self.env.cr.fetchall()]

    def _activities(self, where, params):
        """[(user id, activity type id, activities logged)] on the opportunities."""
        # Identifiers are fixed; values are parameters (_where()). The messages' partial
        # index (mail_message.py) holds the columns read here.
        self.env.cr.execute("""
            SELECT u.id, m.mail_activity_type_id, count(*)
            FROM mail_message m
            JOIN crm_lead ON crm_lead.id = m.res_id
            JOIN res_users u ON u.partner_id = m.author_id
            WHERE m.model = 'crm.lead' AND m.mail_activity_type_id IS NOT NULL AND %s
            GROUP BY 1, 2""" % where, params)
        return self.env.cr.fetchall()

