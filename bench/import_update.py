"""Benchmark: updating opportunities from a spreadsheet (issue "Spreadsheet round trip").

Creates the opportunities (SQL, once per database), writes one update file per size (--sizes,
default 1k, 10k and 100k rows: stage, probability, expected value, owner, a custom field, 5%
won/lost), then times on the same data, each in a transaction rolled back afterwards:
  (a) stock Odoo ``crm.lead.load()`` by ``.id`` (what Odoo's import does), on --stock-rows,
  (b) this addon's import (file parsing, validation, batched writes, changes read back, one
      chatter summary per opportunity),
  (c) a raw SQL ``UPDATE ... FROM (VALUES ...)`` of the same columns (no file, no validation,
      no chatter): the baseline.
(b) and (c) run --repeat times each, alternated, the best time of each kept (the machine is
shared; the first run of the process also fills Odoo's caches). Prints per size every time, the
best time and rows/s of (b) and (c), the ratios b/c (time) and b/a (rows/s), and the CPU
seconds of (b) and (c) (the benchmark's process and its PostgreSQL process: less stretched than
the time by other work on the shared cores) and their ratio.
Run through `make bench` (or tools/bench.sh), which passes the Odoo options.
"""
import argparse
import io
import os
import random
import time

import openpyxl

import odoo
from odoo import SUPERUSER_ID, api

from _common import (ensure_leads, load, measure, parse_args, print_table, rate,
                     seconds, size_label, sizes)

TICKS = os.sysconf("SC_CLK_TCK")


def backend_cpu(cr):
    """CPU seconds (user + system) the PostgreSQL process serving ``cr`` has used, from
    /proc (the benchmark and its database run on the same machine)."""
    cr.execute("SELECT pg_backend_pid()")
    with open("/proc/%d/stat" % cr.fetchone()[0]) as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def measure_cpu(registry, function, check=None):
    """(wall seconds, CPU seconds, result) of function(env) as _common.measure() runs it; the
    CPU seconds are this process's and its PostgreSQL process's: other work on the shared
    cores stretches the wall time much more than the CPU time."""
    timings = {}

    def timed(env):
        env.cr.execute("SELECT 1")  # the connection is open: its process is known
        cpu = time.process_time() + backend_cpu(env.cr)
        result = function(env)
        timings["cpu"] = time.process_time() + backend_cpu(env.cr) - cpu
        return result

    elapsed, result = measure(registry, timed, check=check)
    return elapsed, timings["cpu"], result


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--leads", type=int, default=20000,
                        help="opportunities in the database (at least the largest size)")
    parser.add_argument("--sizes", default="1k,10k,100k", help="rows of the update files")
    parser.add_argument("--stock-rows", type=int, default=200,
                        help="rows for stock load() (0: skip it; it runs ~15 rows/s)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of (b) and (c) per size, alternated; the best of each is kept "
                             "(the first run of a process also fills Odoo's caches)")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile the addon's import on the first size only (its own "
                             "time per function, then cumulative)")
    return parse_args(parser)


def update_file(env, rows):
    random.seed(42)
    ids = env["crm.lead"].search([("name", "like", "Bench %")], limit=max(rows * 2, 20000)).ids
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


def stock(data):
    def run(env):
        fields = [".id", "stage_id", "probability", "planned_revenue", "user_id",
                  "x_cos_project_size", "status", "lost_reason"]
        lines = [[str(r[0]), r[1], str(r[2]), str(r[3]), r[4], r[5].lower(),
                  r[6].lower() if r[6] else "", r[7]] for r in data]
        result = env["crm.lead"].load(fields, lines)
        errors = [m for m in result["messages"] if m["type"] == "error"]
        assert not errors, errors[:3]
    return run


def addon(content):
    def run(env):
        Engine, Log = env["crm.lead.import.engine"], env["crm.lead.import.log"]
        # What the import dialog does with the uploaded file, then the import itself.
        headers, rows = Engine._read_file("bench.xlsx", content)
        mapping = Engine._guess_mapping(headers)
        return Log._import("bench.xlsx", headers, rows, mapping, overwrite=True).id
    return run


def check_addon(data):
    def check(env, log_id):
        log = env["crm.lead.import.log"].browse(log_id)
        assert log.state == "done" and not log.rejected_count, (log.state, log.rejected_count)
        env.cr.execute("SELECT count(*) FROM mail_message WHERE model = 'crm.lead' "
                       "AND res_id = ANY(%s) AND body LIKE '%%Updated by the import of bench%%'",
                       ([row[0] for row in data],))
        summaries = env.cr.fetchone()[0]
        assert log.updated_count == len(data) == summaries, (log.updated_count, summaries)
    return check


def raw_sql(data):
    def run(env):
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
    return run


def main():
    options = parse()
    odoo.tools.config.parse_config(options.odoo_args)
    registry = odoo.registry(options.db)
    counts = sizes(options.sizes)
    leads = max([options.leads] + counts)
    files = {}
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"})
        ensure_leads(env, leads)
        for count in counts:
            files[count] = update_file(env, count)
    print("Updating opportunities from a spreadsheet: %d opportunities; update files of %s rows "
          "(stage, probability, expected value, owner, a custom field, 5%% won/lost); %s" % (
              leads, ", ".join(size_label(count) for count in counts), load()))
    if options.profile:
        import cProfile
        import pstats
        profiler = cProfile.Profile()
        _header, _data, content = files[counts[0]]
        # A first run, not profiled: the caches warm (as the best of --repeat runs has them).
        measure(registry, addon(content), check=check_addon(_data))
        elapsed, _result = measure(registry, lambda env: profiler.runcall(addon(content), env),
                                   check=check_addon(_data))
        print("addon import of %d rows, profiled: %.2f s" % (counts[0], elapsed))
        stats = pstats.Stats(profiler).strip_dirs()
        # Where the time is spent (each function's own time), then what each call costs in
        # all (with what it calls).
        stats.sort_stats("tottime").print_stats(40)
        stats.sort_stats("cumulative").print_stats(80)
        return
    rows = []
    stock_rate = None
    if options.stock_rows:
        data = files[counts[0]][1][:options.stock_rows]
        elapsed, _result = measure(registry, stock(data))
        stock_rate = len(data) / elapsed
        print("stock crm.lead.load() by .id: %d rows in %.2f s = %.1f rows/s" % (
            len(data), elapsed, stock_rate))
    for count in counts:
        _header, data, content = files[count]
        addon_runs, raw_runs = [], []
        for _run in range(max(1, options.repeat)):
            addon_runs.append(measure_cpu(registry, addon(content), check=check_addon(data)))
            raw_runs.append(measure_cpu(registry, raw_sql(data)))
        addon_times, raw_times = [run[0] for run in addon_runs], [run[0] for run in raw_runs]
        addon_time, raw_time = min(addon_times), min(raw_times)
        addon_cpu, raw_cpu = min(run[1] for run in addon_runs), min(run[1] for run in raw_runs)
        rows.append([size_label(count), "%d KB" % (len(content) // 1024), seconds(addon_time),
                     rate(count, addon_time), seconds(raw_time), rate(count, raw_time),
                     "%.1f" % (addon_time / raw_time),
                     "%.2f s" % addon_cpu, "%.2f s" % raw_cpu, "%.1f" % (addon_cpu / raw_cpu),
                     "%.0f" % (count / addon_time / stock_rate) if stock_rate else "-"])
        print("  %s rows: (b) %s, (c) %s (wall / CPU seconds; %s)" % (
            size_label(count), " ".join("%.3f/%.3f" % run[:2] for run in addon_runs),
            " ".join("%.3f/%.3f" % run[:2] for run in raw_runs), load()))
    print_table(
        "(b) the addon's import (parse the .xlsx, validate, write, read back, one chatter note "
        "per opportunity) vs (c) raw SQL UPDATE ... FROM (VALUES ...) of the same columns "
        "(no file, no check, no chatter), best of %d runs each, and vs (a) stock load()"
        % max(1, options.repeat),
        ["rows", "file", "(b) addon", "rows/s", "(c) raw SQL", "rows/s",
         "b/c time (<= 3)", "(b) CPU", "(c) CPU", "b/c CPU", "b/a rows/s (>= 10)"], rows)


if __name__ == "__main__":
    main()
