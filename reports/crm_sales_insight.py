from collections import OrderedDict, defaultdict
from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError

MAX_MONTHS = 36


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
        trash), applied by the ORM to a query that the figures' queries filter on."""
        Lead = self.env["crm.lead"].with_context(active_test=False)
        Lead.check_access_rights("read")
        if self.env.uid == SUPERUSER_ID:
            return None, []
        query = Lead._where_calc([])
        Lead._apply_ir_rules(query, "read")
        from_clause, where_clause, params = query.get_sql()
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
    def _where(self, filters, alias="l"):
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
        where, params = self._where(filters)
        cr = self.env.cr
        result = OrderedDict()

        # Identifiers are fixed: _where() formats in only fixed names and the ORM's rule
        # query; every value (filters cleaned above) is a parameter.
        cr.execute("""
            SELECT to_char(date_trunc('month', l.create_date), 'YYYY-MM') AS period,
                   count(*), count(*) FILTER (WHERE l.type = 'opportunity'),
                   count(*) FILTER (WHERE l.status = 'won')
            FROM crm_lead l WHERE %s GROUP BY 1 ORDER BY 1""" % where, params)
        month_rows = cr.fetchall()
        result["by_month"] = [self._conversion(row) for row in month_rows]
        # Quarters add up their months (one scan of the opportunities, not two).
        quarters = OrderedDict()
        for period, created, opportunities, won in month_rows:
            key = "%s-Q%d" % (period[:4], (int(period[5:7]) - 1) // 3 + 1)
            totals = quarters.setdefault(key, [0, 0, 0])
            for index, count in enumerate((created, opportunities, won)):
                totals[index] += count
        result["by_quarter"] = [self._conversion([key] + totals)
                                for key, totals in quarters.items()]

        # Funnel: opportunities that reached each open stage: their current stage is that one
        # or a later one (by sequence), or they were won.
        # Identifiers are fixed; values are parameters (_where()).
        cr.execute("""
            SELECT s.id, s.name, s.sequence, count(l.id)
            FROM crm_stage s
            LEFT JOIN (crm_lead l JOIN crm_stage c ON c.id = l.stage_id)
                 ON l.type = 'opportunity' AND %s
                 AND (l.status = 'won' OR (c.sequence, c.id) >= (s.sequence, s.id))
            WHERE s.probability < 100
            GROUP BY s.id, s.name, s.sequence ORDER BY s.sequence, s.id""" % where, params)
        stages = cr.fetchall()
        result["by_stage"] = []
        for index, (stage_id, name, _sequence, reached) in enumerate(stages):
            following = stages[index + 1][3] if index + 1 < len(stages) else None
            result["by_stage"].append({
                "stage_id": stage_id, "stage": name, "reached": reached,
                "next_rate": round(100.0 * following / reached, 1)
                if following is not None and reached else None})

        # Identifiers are fixed; values are parameters (_where()).
        cr.execute("""
            SELECT count(*) FILTER (WHERE l.status = 'won'),
                   count(*) FILTER (WHERE l.status = 'lost'),
                   avg(EXTRACT(EPOCH FROM (l.date_closed - l.create_date)) / 86400.0)
                       FILTER (WHERE l.status = 'won' AND l.date_closed IS NOT NULL)
            FROM crm_lead l WHERE l.type = 'opportunity' AND %s""" % where, params)
        won, lost, cycle = cr.fetchone()
        result["summary"] = {
            "won": won, "lost": lost,
            "win_rate": round(100.0 * won / (won + lost), 1) if won + lost else None,
            "cycle_days": round(float(cycle), 1) if cycle is not None else None,
        }

        # Identifiers are fixed; values are parameters (_where()).
        cr.execute("""
            SELECT l.user_id, count(*), count(*) FILTER (WHERE l.status = 'won'),
                   coalesce(sum(l.planned_revenue) FILTER (WHERE l.status = 'won'), 0),
                   count(*) FILTER (WHERE l.status = 'lost')
            FROM crm_lead l WHERE l.type = 'opportunity' AND %s
            GROUP BY l.user_id""" % where, params)
        reps = OrderedDict()
        for user_id, owned, won_count, won_value, lost_count in cr.fetchall():
            reps[user_id] = {
                "user_id": user_id, "owned": owned, "won": won_count, "lost": lost_count,
                "won_value": round(float(won_value), 2),
                "win_rate": round(100.0 * won_count / (won_count + lost_count), 1)
                if won_count + lost_count else None,
                "average_deal": round(float(won_value) / won_count, 2) if won_count else None,
                "activities": {},
            }
        # Identifiers are fixed; values are parameters (_where()).
        cr.execute("""
            SELECT u.id, m.mail_activity_type_id, count(*)
            FROM mail_message m
            JOIN crm_lead l ON l.id = m.res_id
            JOIN res_users u ON u.partner_id = m.author_id
            WHERE m.model = 'crm.lead' AND m.mail_activity_type_id IS NOT NULL AND %s
            GROUP BY 1, 2""" % where, params)
        for user_id, type_id, count in cr.fetchall():
            rep = reps.setdefault(user_id, {
                "user_id": user_id, "owned": 0, "won": 0, "lost": 0, "won_value": 0.0,
                "win_rate": None,
                "average_deal": None, "activities": {}})
            rep["activities"][type_id] = count
        result["reps"] = sorted(reps.values(), key=lambda rep: (-rep["won_value"],
                                                                 rep["user_id"] or 0))

        start = today.replace(day=1)
        bounds = [start + relativedelta(months=n) for n in range(months + 1)]
        # Identifiers are fixed; values are parameters (_where()).
        cr.execute("""
            SELECT l.user_id, to_char(date_trunc('month', l.date_deadline), 'YYYY-MM'),
                   sum(l.planned_revenue * l.probability / 100.0)
            FROM crm_lead l
            WHERE l.type = 'opportunity' AND l.status IN ('open', 'hold')
              AND l.date_deadline >= %%s AND l.date_deadline < %%s AND %s
            GROUP BY 1, 2""" % where, [bounds[0], bounds[-1]] + params)
        month_keys = [bound.strftime("%Y-%m") for bound in bounds[:-1]]
        pipeline = defaultdict(lambda: OrderedDict((key, 0.0) for key in month_keys))
        for user_id, month, weighted in cr.fetchall():
            pipeline[user_id][month] = round(float(weighted), 2)
        result["months"] = month_keys
        result["pipeline"] = [{"user_id": user_id, "months": values}
                              for user_id, values in sorted(pipeline.items(),
                                                            key=lambda item: item[0] or 0)]

        next_start = today + relativedelta(days=1)
        next_end = today + relativedelta(months=1)
        # Identifiers are fixed; values are parameters (_where()).
        cr.execute("""
            SELECT l.team_id, count(*), coalesce(sum(l.planned_revenue), 0),
                   coalesce(sum(l.planned_revenue * l.probability / 100.0), 0)
            FROM crm_lead l
            WHERE l.type = 'opportunity' AND l.status IN ('open', 'hold')
              AND l.date_deadline >= %%s AND l.date_deadline <= %%s AND %s
            GROUP BY 1 ORDER BY 1""" % where, [next_start, next_end] + params)
        result["teams_next_month"] = [
            {"team_id": team_id, "count": count, "expected": round(float(expected), 2),
             "weighted": round(float(weighted), 2)}
            for team_id, count, expected, weighted in cr.fetchall()]
        return result

    @staticmethod
    def _conversion(row):
        period, created, opportunities, won = row
        return {
            "period": period, "created": created, "opportunities": opportunities, "won": won,
            "to_opportunity": round(100.0 * opportunities / created, 1) if created else None,
            "to_won": round(100.0 * won / opportunities, 1) if opportunities else None,
        }
