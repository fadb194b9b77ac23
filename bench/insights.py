"""Benchmark: sales insights on big data (issue "Reports").

The data (bench/_data.py): opportunities and leads generated in SQL once per database in
nested slices, three logged activities each; a size (--sizes, default 1k, 10k, 100k and 1M)
is the sales teams of its slice and of the smaller ones. For each size, each timing in a
rolled-back transaction:
  (b) this addon's SQL computation (crm.sales.insight.compute, PDF rendering excluded), as
      superuser,
  (c) the same as a sales manager: restricted by crm.lead's record rules,
  (f) the baseline: one pass over the same rows, as little as a report on them can do (one
      aggregate query on the opportunities, one on their activities),
  (a) up to --naive-max: a naive ORM loop over the same records computing the same numbers.
Asserts (b) = (c) (and = (a) where it ran); prints the times and the ratios.
"""
import argparse
import time
from collections import OrderedDict, defaultdict
from dateutil.relativedelta import relativedelta

import odoo
from odoo import SUPERUSER_ID, api, fields

from _common import load, measure, parse_args, print_table, seconds, size_label, sizes
from _data import ensure_data

TODAY = "2027-03-10"
MANAGER = "bench_insights_manager"


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--insight-sizes", default="1k,10k,100k,1M",
                        help="opportunities and leads of the reports")
    parser.add_argument("--naive-max", type=int, default=10000,
                        help="largest size the naive ORM loop runs on (it takes ~2.5 s per "
                             "1,000)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="timings of (b), (c) and (f) per size: the best is kept")
    return parse_args(parser)


def manager_id(env):
    user = env["res.users"].search([("login", "=", MANAGER)])
    if not user:
        user = env["res.users"].with_context(no_reset_password=True).create({
            "name": "Bench manager", "login": MANAGER,
            "groups_id": [(6, 0, [env.ref("sales_team.group_sale_manager").id])]})
        env.cr.commit()
    return user.id


def naive(env, team_ids, months=3):
    """The same numbers, the obvious way: browse every record through the ORM."""
    today = fields.Date.from_string(TODAY)
    Lead = env["crm.lead"].with_context(active_test=False, prefetch_fields=True)
    leads = Lead.search([("team_id", "in", team_ids)])
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


def one_pass(team_ids):
    """The baseline: one aggregate pass over the opportunities, one over their activities."""
    def run(env):
        env.cr.execute("""
            SELECT count(*), count(*) FILTER (WHERE status = 'won'), sum(planned_revenue)
            FROM crm_lead WHERE team_id IN %s AND trash_date IS NULL""", (tuple(team_ids),))
        env.cr.fetchall()
        env.cr.execute("""
            SELECT count(*) FROM mail_message m JOIN crm_lead l ON l.id = m.res_id
            WHERE m.model = 'crm.lead' AND m.mail_activity_type_id IS NOT NULL
              AND l.team_id IN %s AND l.trash_date IS NULL""", (tuple(team_ids),))
        env.cr.fetchall()
    return run


def best(registry, function, repeat, uid=SUPERUSER_ID):
    """(best time, result) of ``repeat`` runs."""
    runs = [measure(registry, function, uid) for _run in range(max(1, repeat))]
    return min(run[0] for run in runs), runs[0][1]


def main():
    options = parse()
    odoo.tools.config.parse_config(options.odoo_args)
    registry = odoo.registry(options.db)
    counts = sizes(options.insight_sizes)
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"})
        started = time.time()
        teams = ensure_data(env, counts)
        manager = manager_id(env)
        ready = time.time() - started
    print("Sales insights: data of %s opportunities and leads (3 logged activities each) "
          "ready in %.1f s; %s" % (", ".join(size_label(c) for c in counts), ready, load()))

    def compute(team_ids):
        return lambda env: comparable(env["crm.sales.insight"].compute(
            {"team_ids": team_ids}, months=3, today=TODAY))

    rows = []
    for count in counts:
        superuser, by_sql = best(registry, compute(teams[count]), options.repeat)
        as_manager, by_manager = best(registry, compute(teams[count]), options.repeat,
                                      manager)
        floor, _result = best(registry, one_pass(teams[count]), options.repeat)
        for key in by_sql:
            assert by_manager[key] == by_sql[key], key
        naive_time = None
        if count <= options.naive_max:
            naive_time, by_orm = measure(registry, lambda env: naive(env, teams[count]))
            for key in by_orm:
                assert by_orm[key] == by_sql[key], (
                    key, str(by_orm[key])[:300], str(by_sql[key])[:300])
        rows.append([size_label(count), seconds(superuser), seconds(as_manager),
                     "%.2f" % (as_manager / superuser), seconds(floor),
                     "%.1f" % (superuser / floor), "%.1f" % (as_manager / floor),
                     seconds(naive_time) if naive_time else "-",
                     "%.0f" % (naive_time / superuser) if naive_time else "-"])
        print("  %s done (%s)" % (size_label(count), load()))
    print_table("Sales insights (best of %d; same numbers as superuser, as a sales manager and, "
                "up to %s, as the naive loop; targets: <= 0.3 s at 100k, <= 3 s at 1M)" % (
                    options.repeat, size_label(options.naive_max)),
                ["opportunities", "(b) superuser", "(c) manager", "c/b", "(f) one pass",
                 "b/f", "c/f", "(a) naive ORM", "a/b"], rows)


if __name__ == "__main__":
    main()
