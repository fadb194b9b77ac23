"""Helpers shared by the benchmarks (not a benchmark: tools/bench.sh skips _*.py)."""
import os
import sys
import time

from odoo import SUPERUSER_ID, api

SUFFIXES = {"k": 1000, "K": 1000, "M": 1000000}


def parse_args(parser):
    """This benchmark's options (before "--"; options of the other benchmarks, which
    BENCH_ARGS passes to all of them, are ignored) and Odoo's options (after "--")."""
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    options = parser.parse_known_args(argv[:split])[0]
    options.odoo_args = argv[split + 1:]
    return options


def sizes(text):
    """"1k,10k,100k" -> [1000, 10000, 100000] (also plain numbers and M)."""
    result = []
    for part in text.split(","):
        part = part.strip()
        if part:
            factor = SUFFIXES.get(part[-1], 1)
            result.append(int(float(part[:-1] if factor > 1 else part) * factor))
    return result


def size_label(size):
    for suffix, factor in (("M", 1000000), ("k", 1000)):
        if size >= factor and size % factor == 0:
            return "%d%s" % (size // factor, suffix)
    return str(size)


def load():
    """The machine's load averages (1, 5, 15 min): other work shares the cores."""
    return "load %.2f %.2f %.2f on %d cores" % (os.getloadavg() + (os.cpu_count(),))


def ensure_leads(env, count):
    cr = env.cr
    cr.execute("SELECT count(*) FROM crm_lead WHERE name LIKE 'Bench %%'")
    existing = cr.fetchone()[0]
    if existing >= count:
        return
    team = env.ref("sales_team.team_sales_department")
    stage = env.ref("crm.stage_lead1")
    users = env["res.users"].search([("share", "=", False)]).ids
    company = env.user.company_id
    cr.execute("""
        INSERT INTO crm_lead (name, type, active, team_id, stage_id, user_id, probability,
                              planned_revenue, value_amount, value_basis, value_duration,
                              reference, currency_id, company_id, status,
                              priority, date_open, date_last_stage_update, create_uid, write_uid,
                              create_date, write_date, message_bounce, color, day_open, day_close)
        SELECT 'Bench ' || n, 'opportunity', true, %s, %s, (%s)[1 + n %% %s], 10, n, n, 'fixed', 1,
               'BENCH' || lpad(n::text, 7, '0'), %s, %s, 'open', '0', now(), now(), 1, 1,
               now(), now(), 0, 0, 0, 0
        FROM generate_series(%s, %s) n
    """, (team.id, stage.id, users, len(users), company.currency_id.id, company.id,
          existing + 1, count))
    cr.execute("ANALYZE crm_lead")
    cr.commit()


def measure(registry, function, uid=SUPERUSER_ID, check=None):
    """(seconds, result) of function(env), in a transaction rolled back afterwards; then
    check(env, result), not timed, before the rollback (what a benchmark asserts)."""
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, uid, {"lang": "en_US"})
        start = time.time()
        result = function(env)
        elapsed = time.time() - start
        if check:
            env.cache.invalidate()
            check(env, result)
        cr.rollback()
    return elapsed, result


def timed(label, registry, function, rows):
    elapsed, result = measure(registry, function)
    print("%-44s %7d rows in %8.2f s = %9.1f rows/s%s" % (
        label, rows, elapsed, rows / elapsed, "  (%s)" % result if result else ""))
    sys.stdout.flush()
    return rows / elapsed


def print_table(title, header, rows):
    """A plain-text table: the title, the header and the rows, columns aligned."""
    cells = [[str(cell) for cell in row] for row in [header] + rows]
    widths = [max(len(row[col]) for row in cells) for col in range(len(header))]
    print("\n%s" % title)
    for index, row in enumerate(cells):
        print("  " + "  ".join(cell.rjust(width) for cell, width in zip(row, widths)))
        if not index:
            print("  " + "  ".join("-" * width for width in widths))
    sys.stdout.flush()


def seconds(value):
    return "%.2f s" % value if value >= 0.1 else "%.3f s" % value


def rate(count, elapsed):
    return "{:,.0f}/s".format(count / elapsed) if elapsed else "-"
