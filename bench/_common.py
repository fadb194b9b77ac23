"""Helpers shared by the benchmarks (not a benchmark: tools/bench.sh skips _*.py)."""
import sys
import time

from odoo import SUPERUSER_ID, api


def parse_args(parser):
    """This benchmark's options (before "--"; options of the other benchmarks, which
    BENCH_ARGS passes to all of them, are ignored) and Odoo's options (after "--")."""
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    options = parser.parse_known_args(argv[:split])[0]
    options.odoo_args = argv[split + 1:]
    return options


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
    cr.commit()


def timed(label, registry, function, rows):
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"})
        start = time.time()
        result = function(env)
        elapsed = time.time() - start
        cr.rollback()
    print("%-44s %7d rows in %8.2f s = %9.1f rows/s%s" % (
        label, rows, elapsed, rows / elapsed, "  (%s)" % result if result else ""))
    sys.stdout.flush()
    return rows / elapsed
