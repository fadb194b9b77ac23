"""Benchmark: the Stale filter on many opportunities (issue 17, point 10).

Creates (once per database, in SQL) --stale-leads opportunities of a team of their own in four
stages (two with a stale delay, 14 and 30 days, two without), last activity 0 to 119 days ago,
70 % open, the others on hold, won or lost. Then times, as a sales manager (crm's record rules
apply), each in a rolled-back transaction, what the pipeline does with a filter: the first
page of 80 (search), the pager's count (search_count) and the kanban columns' counts
(read_group by stage):
  (a) with the Stale filter (crm.lead._search_is_stale: a domain on stored columns, one
      branch per stale delay of the stages),
  (b) with a filter on a stored column instead (status = open), the baseline,
  (c) the naive way: every opportunity of the team read and is_stale computed in Python.
Asserts (a) and (c) find the same opportunities; prints seconds and the ratios a/b and c/a.
"""
import argparse

import odoo
from odoo import SUPERUSER_ID, api

from _common import parse_args, timed

TEAM = "Stale bench team"
MANAGER = "bench_stale_manager"


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--stale-leads", type=int, default=100000)
    return parse_args(parser)


def ensure_data(env, count):
    cr = env.cr
    team = env["crm.team"].search([("name", "=", TEAM)])
    if not team:
        team = env["crm.team"].create({"name": TEAM})
    if not env["res.users"].search([("login", "=", MANAGER)]):
        env["res.users"].with_context(no_reset_password=True).create({
            "name": "Bench stale manager", "login": MANAGER,
            "groups_id": [(6, 0, [env.ref("sales_team.group_sale_manager").id])]})
    cr.execute("SELECT count(*) FROM crm_lead WHERE team_id = %s", (team.id,))
    if cr.fetchone()[0] >= count:
        return team
    stages = [env["crm.stage"].create({
        "name": "SB %d" % n, "sequence": n, "team_id": team.id, "probability": 20 * n,
        "stale_days": days}).id for n, days in enumerate((14, 30, 0, 0), 1)]
    users = env["res.users"].search([("share", "=", False)], limit=6).ids
    company = env.user.company_id
    cr.execute("""
        INSERT INTO crm_lead (name, type, active, team_id, stage_id, user_id, probability,
                              planned_revenue, value_amount, value_basis, value_duration,
                              reference, currency_id, company_id, status, on_hold, priority, create_date, write_date, create_uid, write_uid,
                              date_last_stage_update, date_last_activity, message_bounce,
                              color, day_open, day_close, drop_token)
        SELECT 'Stale bench ' || n, 'opportunity', n %% 10 <> 9, %(team)s,
               (%(stages)s)[1 + n %% 4], (%(users)s)[1 + n %% %(user_count)s],
               CASE WHEN n %% 10 = 8 THEN 100 WHEN n %% 10 = 9 THEN 0 ELSE 30 END,
               1000 + n %% 5000, 1000 + n %% 5000, 'fixed', 1, 'STB' || lpad(n::text, 7, '0'), %(currency)s, %(company)s,
               CASE n %% 10 WHEN 7 THEN 'hold' WHEN 8 THEN 'won' WHEN 9 THEN 'lost'
                            ELSE 'open' END,
               n %% 10 = 7, '0',
               (now() AT TIME ZONE 'UTC') - interval '200 days', now(), 1, 1,
               (now() AT TIME ZONE 'UTC') - interval '200 days',
               (now() AT TIME ZONE 'UTC') - (n * 7 %% 120) * interval '1 day'
                                          - interval '1 hour',
               0, 0, 0, 0, 'stb' || n
        FROM generate_series(1, %(count)s) n
    """, {"team": team.id, "stages": stages, "users": users, "user_count": len(users),
          "currency": company.currency_id.id, "company": company.id, "count": count})
    cr.execute("ANALYZE crm_lead")
    cr.commit()
    return team


def main():
    options = parse()
    odoo.tools.config.parse_config(options.odoo_args)
    registry = odoo.registry(options.db)
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"})
        team_id = ensure_data(env, options.stale_leads).id
        manager_id = env["res.users"].search([("login", "=", MANAGER)]).id
    print("%d opportunities in 4 stages (2 with a stale delay)" % options.stale_leads)
    results = {}

    def pipeline(extra):
        def run(env):
            Lead = env["crm.lead"].sudo(manager_id)
            domain = [("team_id", "=", team_id), ("type", "=", "opportunity")] + extra
            page = Lead.search(domain, limit=80)
            count = Lead.search_count(domain)
            columns = Lead.read_group(domain, ["stage_id"], ["stage_id"])
            return "%d found, first page %d, %d columns" % (count, len(page), len(columns))
        return run

    def naive(env):
        leads = env["crm.lead"].sudo(manager_id).search([("team_id", "=", team_id),
                                                         ("type", "=", "opportunity")])
        results["naive"] = set(leads.filtered("is_stale").ids)
        return "%d stale" % len(results["naive"])

    count = options.stale_leads
    with api.Environment.manage(), registry.cursor() as cr:
        # Warm-up (untimed): the registry's caches (record rules, fields) for both domains.
        env = api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"})
        for extra in ([("is_stale", "=", True)], [("status", "=", "open")]):
            pipeline(extra)(env)
    a = timed("(a) Stale filter: page, count, columns", registry,
              pipeline([("is_stale", "=", True)]), count)
    b = timed("(b) stored filter (status = open), same", registry,
              pipeline([("status", "=", "open")]), count)
    c = timed("(c) naive: read all, is_stale in Python", registry, naive, count)
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, manager_id, {"lang": "en_US"})
        found = set(env["crm.lead"].search([("team_id", "=", team_id),
                                            ("is_stale", "=", True)]).ids)
    assert found == results["naive"], "same opportunities"
    print("same opportunities: yes; (a) %.3f s, (b) %.3f s, (c) %.3f s; a/b = %.2f, "
          "c/a = %.1f" % (count / a, count / b, count / c, b / a, a / c))


if __name__ == "__main__":
    main()
