"""Benchmark: sales insights on big data (issue "Reports").

Creates (once per database, in SQL) 100,000 opportunities of a team of their own and 300,000
logged activities on them, then times in one run, each in a rolled-back transaction:
  (a) a naive ORM loop over the same records computing the same numbers,
  (b) this addon's SQL computation (crm.sales.insight.compute, PDF rendering excluded).
Asserts both give the same numbers; prints seconds and the ratio a/b.
"""
import argparse
from collections import OrderedDict, defaultdict
from dateutil.relativedelta import relativedelta

import odoo
from odoo import SUPERUSER_ID, api, fields

from _common import parse_args, timed

TEAM = "Insights bench team"
TODAY = "2027-03-10"


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--insight-leads", type=int, default=100000)
    parser.add_argument("--insight-activities", type=int, default=300000)
    return parse_args(parser)


def ensure_data(env, leads, activities):
    cr = env.cr
    team = env["crm.team"].search([("name", "=", TEAM)])
    if not team:
        team = env["crm.team"].create({"name": TEAM})
    cr.execute("SELECT count(*) FROM crm_lead WHERE team_id = %s", (team.id,))
    if cr.fetchone()[0] >= leads:
        return team
    stages = [env["crm.stage"].create({"name": "IB %d" % n, "sequence": n, "team_id": team.id,
                                       "probability": 20 * n}).id for n in range(1, 5)]
    won_stage = env["crm.stage"].create({"name": "IB won", "sequence": 9, "probability": 100,
                                         "team_id": team.id}).id
    users = env["res.users"].search([("share", "=", False)], limit=6).ids
    company = env.user.company_id
    cr.execute("""
        INSERT INTO crm_lead (name, type, active, team_id, stage_id, user_id, probability,
                              planned_revenue, value_amount, value_basis, value_duration,
                              reference, currency_id, company_id, status,
                              priority, create_date, write_date, create_uid, write_uid,
                              date_closed, date_deadline, message_bounce, color, day_open,
                              day_close, drop_token)
        SELECT 'Insight ' || n,
               CASE WHEN n %% 10 = 0 THEN 'lead' ELSE 'opportunity' END,
               NOT (n %% 7 = 1), %(team)s,
               CASE WHEN n %% 5 = 0 THEN %(won)s ELSE (%(stages)s)[1 + n %% 4] END,
               (%(users)s)[1 + n %% %(user_count)s],
               CASE WHEN n %% 5 = 0 THEN 100 WHEN n %% 7 = 1 THEN 0 ELSE 10 + n %% 80 END,
               100 + (n * 37) %% 50000, 100 + (n * 37) %% 50000, 'fixed', 1,
               'INS' || lpad(n::text, 7, '0'), %(currency)s,
               %(company)s,
               CASE WHEN n %% 5 = 0 THEN 'won' WHEN n %% 7 = 1 THEN 'lost' ELSE 'open' END,
               '0',
               timestamp '2025-03-01' + (n %% 730) * interval '1 day' + interval '9 hours',
               now(), 1, 1,
               CASE WHEN n %% 5 = 0 OR n %% 7 = 1 THEN timestamp '2025-03-01'
                    + (n %% 730 + n %% 90) * interval '1 day' + interval '9 hours' END,
               date '2027-03-01' + (n %% 200),
               0, 0, 0, 0, 'ins' || n
        FROM generate_series(1, %(count)s) n
    """, {"team": team.id, "won": won_stage, "stages": stages, "users": users,
          "user_count": len(users), "currency": company.currency_id.id,
          "company": company.id, "count": leads})
    types = env["mail.activity.type"].search([], limit=3).ids
    partners = env["res.users"].browse(users).mapped("partner_id").ids
    cr.execute("SELECT min(id), max(id) FROM crm_lead WHERE team_id = %s", (team.id,))
    first, last = cr.fetchone()
    cr.execute("""
        INSERT INTO mail_message (model, res_id, body, message_type, mail_activity_type_id,
                                  author_id, date, create_date, write_date, create_uid,
                                  write_uid)
        SELECT 'crm.lead', %(first)s + (n::bigint * 7919) %% (%(last)s - %(first)s + 1), '',
               'comment', (%(types)s)[1 + n %% 3], (%(partners)s)[1 + n %% %(partner_count)s],
               now(), now(), now(), 1, 1
        FROM generate_series(1, %(count)s) n
    """, {"first": first, "last": last, "types": types, "partners": partners,
          "partner_count": len(partners), "count": activities})
    cr.execute("ANALYZE crm_lead")
    cr.execute("ANALYZE mail_message")
    cr.commit()
    return team


def naive(env, team, months=3):
    """The same numbers, the obvious way: browse every record through the ORM."""
    today = fields.Date.from_string(TODAY)
    Lead = env["crm.lead"].with_context(active_test=False, prefetch_fields=True)
    leads = Lead.search([("team_id", "=", team.id)])
    by_month, by_quarter = defaultdict(lambda: [0, 0, 0]), defaultdict(lambda: [0, 0, 0])
    won = lost = 0
    cycles = []
    reps = {}
    start = today.replace(day=1)
    bounds = [start + relativedelta(months=n) for n in range(months + 1)]
    keys = [bound.strftime("%Y-%m") for bound in bounds[:-1]]
    pipeline = defaultdict(lambda: OrderedDict((key, 0.0) for key in keys))
    teams = {}
    stages = env["crm.stage"].search([("probability", "<", 100)], order="sequence, id")
    reached = {stage.id: 0 for stage in stages}
    next_start, next_end = today + relativedelta(days=1), today + relativedelta(months=1)
    for lead in leads:
        created = fields.Datetime.from_string(lead.create_date)
        month = created.strftime("%Y-%m")
        quarter = "%d-Q%d" % (created.year, (created.month - 1) // 3 + 1)
        for bucket in (by_month[month], by_quarter[quarter]):
            bucket[0] += 1
            bucket[1] += lead.type == "opportunity"
            bucket[2] += lead.status == "won"
        if lead.type != "opportunity":
            continue
        rep = reps.setdefault(lead.user_id.id or None, [0, 0, 0.0, 0])
        rep[0] += 1
        if lead.status == "won":
            won += 1
            rep[1] += 1
            rep[2] += lead.planned_revenue
            if lead.date_closed:
                cycles.append((fields.Datetime.from_string(lead.date_closed) - created)
                              .total_seconds() / 86400.0)
        elif lead.status == "lost":
            lost += 1
            rep[3] += 1
        for stage in stages:
            if lead.status == "won" or (lead.stage_id.sequence, lead.stage_id.id) >= (
                    stage.sequence, stage.id):
                reached[stage.id] += 1
        if lead.status in ("open", "hold") and lead.date_deadline:
            deadline = fields.Date.from_string(lead.date_deadline)
            if bounds[0] <= deadline < bounds[-1]:
                pipeline[lead.user_id.id or None][deadline.strftime("%Y-%m")] += \
                    lead.planned_revenue * lead.probability / 100.0
            if next_start <= deadline <= next_end:
                row = teams.setdefault(lead.team_id.id or None, [0, 0.0, 0.0])
                row[0] += 1
                row[1] += lead.planned_revenue
                row[2] += lead.planned_revenue * lead.probability / 100.0
    activities = defaultdict(lambda: defaultdict(int))
    users_by_partner = {user.partner_id.id: user.id for user in env["res.users"].with_context(
        active_test=False).search([])}
    for message in env["mail.message"].search([("model", "=", "crm.lead"),
                                               ("res_id", "in", leads.ids),
                                               ("mail_activity_type_id", "!=", False)]):
        user_id = users_by_partner.get(message.author_id.id)
        if user_id:
            activities[user_id][message.mail_activity_type_id.id] += 1
    return {
        "by_month": sorted((k, v) for k, v in by_month.items()),
        "by_quarter": sorted((k, v) for k, v in by_quarter.items()),
        "summary": (won, lost, round(sum(cycles) / len(cycles), 1) if cycles else None),
        "reps": sorted((k, v[0], v[1], round(v[2], 2), v[3]) for k, v in reps.items()),
        "activities": {k: dict(v) for k, v in activities.items()},
        "reached": reached,
        "pipeline": {k: {m: round(x, 2) for m, x in v.items()} for k, v in pipeline.items()},
        "teams": {k: (v[0], round(v[1], 2), round(v[2], 2)) for k, v in teams.items()},
    }


def comparable(data):
    """The SQL result in the naive result's shape."""
    reps = [(r["user_id"], r["owned"], r["won"], r["won_value"], r["lost"])
            for r in data["reps"] if r["owned"]]
    return {
        "by_month": [(r["period"], [r["created"], r["opportunities"], r["won"]])
                     for r in data["by_month"]],
        "by_quarter": [(r["period"], [r["created"], r["opportunities"], r["won"]])
                       for r in data["by_quarter"]],
        "summary": (data["summary"]["won"], data["summary"]["lost"],
                    data["summary"]["cycle_days"]),
        "reps": sorted(reps),
        "activities": {r["user_id"]: r["activities"] for r in data["reps"] if r["activities"]},
        "reached": {r["stage_id"]: r["reached"] for r in data["by_stage"]},
        "pipeline": {r["user_id"]: dict(r["months"]) for r in data["pipeline"]},
        "teams": {r["team_id"]: (r["count"], r["expected"], r["weighted"])
                  for r in data["teams_next_month"]},
    }


def main():
    options = parse()
    odoo.tools.config.parse_config(options.odoo_args)
    registry = odoo.registry(options.db)
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"})
        team_id = ensure_data(env, options.insight_leads, options.insight_activities).id
    print("%d opportunities and leads, %d logged activities" % (
        options.insight_leads, options.insight_activities))
    results = {}

    def orm_loop(env):
        results["naive"] = naive(env, env["crm.team"].browse(team_id))

    def sql(env):
        results["sql"] = comparable(env["crm.sales.insight"].compute(
            {"team_ids": [team_id]}, months=3, today=TODAY))

    def sql_as_manager(env):
        # The figures restricted by crm.lead's record rules (a sub-query the ORM builds),
        # as a sales manager sees them: the same numbers here.
        manager = env["res.users"].with_context(no_reset_password=True).create({
            "name": "Bench manager", "login": "bench_insights_manager",
            "groups_id": [(6, 0, [env.ref("sales_team.group_sale_manager").id])]})
        results["manager"] = comparable(env["crm.sales.insight"].sudo(manager).compute(
            {"team_ids": [team_id]}, months=3, today=TODAY))

    a = timed("(a) naive ORM loop", registry, orm_loop, options.insight_leads)
    b = timed("(b) crm_opportunity_suite SQL insights", registry, sql, options.insight_leads)
    c = timed("(c) the same as a sales manager (rules)", registry, sql_as_manager,
              options.insight_leads)
    for key in results["naive"]:
        assert results["naive"][key] == results["sql"][key], (
            key, str(results["naive"][key])[:300], str(results["sql"][key])[:300])
        assert results["manager"][key] == results["sql"][key], key
    print("same numbers: yes; (b) in %.3f s, (c) in %.3f s; ratio a/b = %.1f (target >= 20, "
          "b < 1 s); c/b = %.2f" % (options.insight_leads / b, options.insight_leads / c,
                                    b / a, b / c))


if __name__ == "__main__":
    main()
