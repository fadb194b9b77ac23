"""Benchmark: updating opportunities from a spreadsheet (issue "Spreadsheet round trip").

Creates N opportunities (SQL, once per database), writes one update file (stage, probability,
expected value, owner, a custom field, 5% won/lost), then times on the same data, each in a
transaction rolled back afterwards:
  (a) stock Odoo ``crm.lead.load()`` by ``.id`` (what Odoo's import does),
  (b) this addon's import (file parsing, validation, batched writes, one chatter summary per
      opportunity),
  (c) a raw SQL ``UPDATE ... FROM (VALUES ...)`` of the same columns (no validation, no chatter).
Prints rows/s of each and the ratios b/a and c/b.
Run through `make bench` (or tools/bench.sh), which passes the Odoo options.
"""
import argparse
import io
import random

import openpyxl

import odoo
from odoo import SUPERUSER_ID, api

from _common import ensure_leads, parse_args, timed


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--leads", type=int, default=20000)
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--stock-rows", type=int, default=0,
                        help="rows for stock load() (default: all; it runs ~25 rows/s)")
    parser.add_argument("--profile", action="store_true", help="cProfile the addon's import")
    return parse_args(parser)


def update_file(env, rows):
    random.seed(42)
    ids = env["crm.lead"].search([("name", "like", "Bench %")], limit=rows * 2).ids
    ids = random.sample(ids, rows)
    team = env.ref("sales_team.team_sales_department")
    stages = env["crm.stage"].search(["|", ("team_id", "=", False), ("team_id", "=", team.id),
                                      ("probability", "<", 100)]).mapped("name")
    users = env["res.users"].search([("share", "=", False)]).mapped("name")
    sizes = ["Small", "Medium", "Large"]
    reasons = env["crm.lost.reason"].search([]).mapped("name")
    header = ["Opportunity ID", "Stage", "Probability", "Expected value", "Owner",
              "Project size", "Milestone", "Lost reason"]
    data = []
    for index, lead_id in enumerate(ids):
        milestone, reason = "", ""
        if index % 40 == 0:
            milestone = "Won"
        elif index % 40 == 1:
            milestone, reason = "Lost", reasons[0]
        data.append([lead_id, random.choice(stages), random.choice([20, 40, 60, 80]),
                     round(random.uniform(100, 90000), 2), random.choice(users),
                     random.choice(sizes), milestone, reason])
    workbook = openpyxl.Workbook()
    workbook.active.append(header)
    for row in data:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return header, data, buffer.getvalue()


def main():
    options = parse()
    odoo.tools.config.parse_config(options.odoo_args)
    registry = odoo.registry(options.db)
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"})
        ensure_leads(env, options.leads)
        header, data, content = update_file(env, options.rows)
    stock_rows = options.stock_rows or options.rows
    print("%d opportunities, update file of %d rows (%d KB), stock load() on %d rows" % (
        options.leads, len(data), len(content) // 1024, stock_rows))

    def stock(env):
        fields = [".id", "stage_id", "probability", "planned_revenue", "user_id",
                  "x_cos_project_size", "status", "lost_reason"]
        lines = [[str(r[0]), r[1], str(r[2]), str(r[3]), r[4], r[5].lower(),
                  r[6].lower() if r[6] else "", r[7]] for r in data[:stock_rows]]
        env.cr.execute("SELECT coalesce(max(id), 0) FROM mail_message")
        last_message = env.cr.fetchone()[0]
        result = env["crm.lead"].load(fields, lines)
        errors = [m for m in result["messages"] if m["type"] == "error"]
        assert not errors, errors[:3]
        return "%d chatter messages" % env["mail.message"].search_count(
            [("model", "=", "crm.lead"), ("id", ">", last_message)])

    def addon(env):
        from odoo.addons.crm_opportunity_suite.lib import spreadsheet
        Log = env["crm.lead.import.log"]
        headers, rows = spreadsheet.read_table("bench.xlsx", content)
        mapping = env["crm.lead.import.engine"]._guess_mapping(headers)
        log = Log._import("bench.xlsx", headers, rows, mapping, overwrite=True)
        assert log.state == "done" and not log.rejected_count, (log.state, log.rejected_count)
        summaries = env["mail.message"].search_count(
            [("model", "=", "crm.lead"), ("body", "like", "Updated by the import of bench")])
        return "%d updated, %d chatter summaries" % (log.updated_count, summaries)

    def raw_sql(env):
        stages = {s.name: s.id for s in env["crm.stage"].search([])}
        users = {u.name: u.id for u in env["res.users"].search([])}
        values = [(r[0], stages[r[1]], r[2], r[3], users[r[4]], r[5].lower()) for r in data]
        env.cr.execute("""
            UPDATE crm_lead SET stage_id = v.stage, probability = v.probability,
                   value_amount = v.revenue, planned_revenue = v.revenue, user_id = v.owner, x_cos_project_size = v.size,
                   write_date = now(), write_uid = 1
            FROM (VALUES %s) AS v(id, stage, probability, revenue, owner, size)
            WHERE crm_lead.id = v.id
        """ % ",".join(env.cr.mogrify("(%s,%s,%s,%s,%s,%s)", row).decode() for row in values))
        return None

    if options.profile:
        import cProfile
        import pstats
        profiler = cProfile.Profile()
        timed("(b) crm_opportunity_suite import, profiled", registry,
              lambda env: profiler.runcall(addon, env), len(data))
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(45)
        stats.print_callees("recompute|_prefetch_field")
        return
    a = timed("(a) stock crm.lead.load() by .id", registry, stock, stock_rows)
    b = timed("(b) crm_opportunity_suite import", registry, addon, len(data))
    c = timed("(c) raw SQL UPDATE ... FROM (VALUES ...)", registry, raw_sql, len(data))
    print("ratio b/a = %.1f (target >= 10)" % (b / a))
    print("ratio c/b = %.1f (target <= 10)" % (c / b))


if __name__ == "__main__":
    main()
