"""The sales insights read the opportunities once (crm.sales.insight._groups()) and add the
figures up in Python (lib/insights.py): they equal what one SQL query per figure gives (the
queries below, the addon's before), for the superuser and for a sales rep whose record rules
apply, on data with every case: leads, won, lost, on hold, no stage, no owner, stages of the
same sequence, due dates in and out of the windows, logged activities, the trash."""
from collections import OrderedDict, defaultdict

from dateutil.relativedelta import relativedelta

from odoo import fields

from .common import SuiteCase

TODAY = "2027-03-10"


def per_figure(env, filters, months):
    """The figures, one query each (the previous implementation's SQL)."""
    Insight = env["crm.sales.insight"]
    where, params = Insight._where(Insight._clean_filters(filters), alias="l")
    cr = env.cr
    result = {}
    cr.execute("""
        SELECT to_char(date_trunc('month', l.create_date), 'YYYY-MM'), count(*),
               count(*) FILTER (WHERE l.type = 'opportunity'),
               count(*) FILTER (WHERE l.status = 'won')
        FROM crm_lead l WHERE %s GROUP BY 1 ORDER BY 1""" % where, params)
    result["by_month"] = [list(row) for row in cr.fetchall()]
    cr.execute("""
        SELECT s.id, count(l.id) FROM crm_stage s
        LEFT JOIN (crm_lead l JOIN crm_stage c ON c.id = l.stage_id)
             ON l.type = 'opportunity' AND %s
             AND (l.status = 'won' OR (c.sequence, c.id) >= (s.sequence, s.id))
        WHERE s.probability < 100 GROUP BY s.id, s.sequence ORDER BY s.sequence, s.id"""
               % where, params)
    result["by_stage"] = cr.fetchall()
    cr.execute("""
        SELECT count(*) FILTER (WHERE l.status = 'won'), count(*) FILTER (WHERE l.status = 'lost'),
               avg(EXTRACT(EPOCH FROM (l.date_closed - l.create_date)) / 86400.0)
                   FILTER (WHERE l.status = 'won' AND l.date_closed IS NOT NULL)
        FROM crm_lead l WHERE l.type = 'opportunity' AND %s""" % where, params)
    won, lost, cycle = cr.fetchone()
    result["summary"] = (won, lost, round(float(cycle), 1) if cycle is not None else None)
    cr.execute("""
        SELECT l.user_id, count(*), count(*) FILTER (WHERE l.status = 'won'),
               coalesce(sum(l.planned_revenue) FILTER (WHERE l.status = 'won'), 0),
               count(*) FILTER (WHERE l.status = 'lost')
        FROM crm_lead l WHERE l.type = 'opportunity' AND %s GROUP BY 1""" % where, params)
    result["reps"] = {row[0]: (row[1], row[2], round(float(row[3]), 2), row[4])
                      for row in cr.fetchall()}
    cr.execute("""
        SELECT u.id, m.mail_activity_type_id, count(*) FROM mail_message m
        JOIN crm_lead l ON l.id = m.res_id JOIN res_users u ON u.partner_id = m.author_id
        WHERE m.model = 'crm.lead' AND m.mail_activity_type_id IS NOT NULL AND %s
        GROUP BY 1, 2""" % where, params)
    activities = defaultdict(dict)
    for user_id, type_id, count in cr.fetchall():
        activities[user_id][type_id] = count
    result["activities"] = dict(activities)
    today = fields.Date.from_string(TODAY)
    bounds = [today.replace(day=1) + relativedelta(months=n) for n in range(months + 1)]
    cr.execute("""
        SELECT l.user_id, to_char(date_trunc('month', l.date_deadline), 'YYYY-MM'),
               sum(l.planned_revenue * l.probability / 100.0)
        FROM crm_lead l WHERE l.type = 'opportunity' AND l.status IN ('open', 'hold')
          AND l.date_deadline >= %%s AND l.date_deadline < %%s AND %s GROUP BY 1, 2"""
               % where, [bounds[0], bounds[-1]] + params)
    result["pipeline"] = {(row[0], row[1]): round(float(row[2]), 2) for row in cr.fetchall()
                          if round(float(row[2]), 2)}
    cr.execute("""
        SELECT l.team_id, count(*), coalesce(sum(l.planned_revenue), 0),
               coalesce(sum(l.planned_revenue * l.probability / 100.0), 0)
        FROM crm_lead l WHERE l.type = 'opportunity' AND l.status IN ('open', 'hold')
          AND l.date_deadline >= %%s AND l.date_deadline <= %%s AND %s
        GROUP BY 1 ORDER BY 1""" % where,
               [today + relativedelta(days=1), today + relativedelta(months=1)] + params)
    result["teams"] = [(row[0], row[1], round(float(row[2]), 2), round(float(row[3]), 2))
                       for row in cr.fetchall()]
    return result


def one_scan(data):
    """compute()'s figures in the shape of per_figure()."""
    pipeline = OrderedDict()
    for row in data["pipeline"]:
        for month, weighted in row["months"].items():
            if weighted:
                pipeline[(row["user_id"], month)] = weighted
    return {
        "by_month": [[r["period"], r["created"], r["opportunities"], r["won"]]
                     for r in data["by_month"]],
        "by_stage": [(r["stage_id"], r["reached"]) for r in data["by_stage"]],
        "summary": (data["summary"]["won"], data["summary"]["lost"],
                    data["summary"]["cycle_days"]),
        "reps": {r["user_id"]: (r["owned"], r["won"], r["won_value"], r["lost"])
                 for r in data["reps"] if r["owned"]},
        "activities": {r["user_id"]: r["activities"] for r in data["reps"] if r["activities"]},
        "pipeline": pipeline,
        "teams": [(r["team_id"], r["count"], r["expected"], r["weighted"])
                  for r in data["teams_next_month"]],
    }


class TestInsightsOneScan(SuiteCase):

    def setUp(self):
        super().setUp()
        Stage = self.env["crm.stage"]
        # Same sequence as S-Proposal: the stage id breaks the tie.
        self.twin_stage = Stage.create({"name": "S-Twin", "probability": 40, "sequence": 2,
                                        "team_id": self.team.id})
        self.other_team = self.env["crm.team"].create({"name": "Other team"})
        call = self.env.ref("mail.mail_activity_data_call")
        meeting = self.env.ref("mail.mail_activity_data_meeting")
        specs = [
            # name, created, owner, type, stage, revenue, probability, due, close as
            ("A", "2026-11-03", self.rep, "opportunity", self.stage_new, 1000, 10,
             "2027-03-20", None),
            ("B", "2026-11-20", self.rep, "opportunity", self.stage_proposal, 2500.5, 60,
             "2027-04-02", "won"),
            ("C", "2026-12-01", self.other_rep, "opportunity", self.twin_stage, 700, 40,
             "2027-03-11", "lost"),
            ("D", "2027-01-15", self.other_rep, "opportunity", self.stage_proposal, 1234.56,
             35, "2027-05-30", "hold"),
            ("E", "2027-01-31", None, "opportunity", self.twin_stage, 99.99, 80, "2027-04-10",
             None),
            ("F", "2027-02-14", self.rep, "lead", None, 500, 5, "2027-03-15", None),
            ("G", "2027-02-28", self.rep, "opportunity", None, 800, 20, "2027-03-25", None),
            ("H", "2027-03-01", None, "opportunity", self.stage_won, 5000, 100, None, "won"),
            ("I", "2027-03-05", self.other_rep, "opportunity", self.stage_new, 321, 25,
             "2027-06-01", None),
        ]
        self.leads = {}
        for name, created, owner, kind, stage, revenue, probability, due, close in specs:
            lead = self.Lead.create({
                "name": "Scan %s" % name, "type": kind,
                "team_id": (self.other_team if name in "DI" else self.team).id,
                "user_id": owner.id if owner else False, "stage_id": stage.id if stage else False,
                "planned_revenue": revenue, "probability": probability,
                "date_deadline": due, "partner_id": self.customer.id})
            if close:
                lead.write({"status": close})
            self.env.cr.execute(
                "UPDATE crm_lead SET create_date = %s, stage_id = %s WHERE id = %s",
                (created + " 08:30:00", stage.id if stage else None, lead.id))
            self.leads[name] = lead
        self.env.cr.execute("UPDATE crm_lead SET date_closed = '2027-02-01 10:00:00' "
                            "WHERE id = %s", (self.leads["B"].id,))
        self.leads["A"].sudo(self.rep).log_activity(call, "Call")
        self.leads["A"].sudo(self.rep).log_activity(meeting, "Meeting")
        self.leads["C"].sudo(self.other_rep).log_activity(call, "Call")
        self.leads["E"].log_activity(call, "Admin's call")
        self.leads["G"].sudo(self.rep).unlink()  # in the trash: never counts
        self.env["crm.lead"].invalidate_cache()
        self.filters = {"team_ids": [self.team.id, self.other_team.id]}

    def test_same_figures_as_one_query_each(self):
        for user, filters in ((self.env.user, self.filters), (self.rep, self.filters),
                              (self.manager, dict(self.filters, user_ids=[self.other_rep.id])),
                              (self.env.user, dict(self.filters, date_from="2026-12-01",
                                                   date_to="2027-02-28"))):
            env = self.env(user=user.id)
            expected = per_figure(env, filters, 3)
            got = one_scan(env["crm.sales.insight"].compute(filters, months=3, today=TODAY))
            for key in expected:
                self.assertEqual(got[key], expected[key], (user.login, filters, key))
        everything = one_scan(self.env["crm.sales.insight"].compute(
            self.filters, months=3, today=TODAY))
        own = one_scan(self.env(user=self.rep.id)["crm.sales.insight"].compute(
            self.filters, months=3, today=TODAY))
        self.assertEqual(sum(row[1] for row in everything["by_month"]), 8, "G is trashed")
        self.assertEqual(sum(row[1] for row in own["by_month"]), 5,
                         "the rep's own (A, B, F) and the unassigned ones (E, H)")
