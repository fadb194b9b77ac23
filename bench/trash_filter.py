"""Benchmark: the cost of the trash filter (issue "Trash").

Trashed opportunities are left out of every search: crm.lead._where_calc() leaves them out
(they are never active: searches of active opportunities need nothing more; the others get
``active OR id NOT IN (the trash's ids)``, _search_is_in_trash) and a global record rule hides
the trash from all but sales managers. On the largest data set of the sales insights
(bench/_data.py, default 1M opportunities and leads, generated once; --trashed of them moved to
the trash), the searches
the screens make, built by the ORM as superuser, as a sales manager and as a sales rep, are run
with the trash filter and without it (the same query built by Odoo's own _where_calc and the
record rules but the trash's), alternately, --repeat times each: times (best) and the plans
of EXPLAIN ANALYZE are printed (whether the search with the filter reads each row's trash date:
the timings of a shared machine vary by more than the filter's cost), then the Trash menu's own
search (trash_date set) and the size of the index that serves it.
"""
import argparse
import re
import time

import odoo
from odoo import SUPERUSER_ID, api, models

from _common import load, parse_args, print_table, size_label, sizes
from _data import ensure_data

TRASH_MARK = "bench trash"


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--insight-sizes", default="1k,10k,100k,1M",
                        help="the data of the insights; the largest is searched")
    parser.add_argument("--trashed", type=int, default=1000,
                        help="opportunities of the data moved to the trash (once)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--plans", action="store_true", help="print every EXPLAIN ANALYZE")
    return parse_args(parser)


def ensure_trash(env, team_id, count):
    """``count`` opportunities of the largest slice in the trash (as _move_to_trash leaves
    them; the smaller sizes of the insights keep theirs)."""
    cr = env.cr
    cr.execute("SELECT count(*) FROM crm_lead WHERE team_id = %s AND trash_date IS NOT NULL",
               (team_id,))
    if cr.fetchone()[0] >= count:
        return
    cr.execute("""
        UPDATE crm_lead SET active_before_trash = active, active = false,
               trash_date = now() AT TIME ZONE 'UTC', trashed_by_id = 1
        WHERE id IN (SELECT id FROM crm_lead WHERE team_id = %s AND trash_date IS NULL
                     ORDER BY id DESC LIMIT %s)""", (team_id, count))
    cr.execute("ANALYZE crm_lead")
    cr.commit()


def searches(team_ids):
    """(label, domain, kind, order, limit, archived included) of the searches the screens
    make."""
    order = "priority desc,activity_date_deadline,id desc"  # crm.lead's
    reference = "INS0500000"
    opportunities = [("type", "=", "opportunity")]
    return [
        ("pipeline list, first page", opportunities, "ids", order, 80, False),
        ("pipeline list, count", opportunities, "count", None, None, False),
        ("one team's open ones, first page", [("team_id", "=", team_ids[-1]),
                                              ("status", "=", "open")], "ids", order, 80, False),
        ("kanban columns (by stage)", opportunities, "group", None, None, False),
        ("reference search", ["|", ("reference", "ilike", reference),
                              ("name", "ilike", reference)], "ids", order, 8, False),
        ("by id (a form)", [("id", "in", [12345, 23456])], "ids", None, None, False),
        ("archived included, count", opportunities, "count", None, None, True),
        ("archived included, first page", opportunities, "ids", order, 80, True),
    ]


def query(env, domain, kind, order, limit, trash_filter, archived=False):
    """(SQL, parameters) of the search as the ORM builds it (record rules included), with the
    trash filter or, without it, Odoo's own _where_calc."""
    Lead = env["crm.lead"].with_context(active_test=not archived)
    if trash_filter:
        built = Lead._where_calc(domain)
        Lead._apply_ir_rules(built, "read")
    else:
        # Odoo's own domain, and the record rules but the trash's (off for this query).
        built = models.BaseModel._where_calc(Lead, domain)
        rule = env.ref("crm_opportunity_suite.crm_lead_rule_trash")
        env.cr.execute("UPDATE ir_rule SET active = false WHERE id = %s", (rule.id,))
        env["ir.rule"].clear_caches()
        Lead._apply_ir_rules(built, "read")
        env.cr.execute("UPDATE ir_rule SET active = true WHERE id = %s", (rule.id,))
        env["ir.rule"].clear_caches()
    order_by = Lead._generate_order_by(order, built) if order else ""
    from_clause, where_clause, params = built.get_sql()
    where = " WHERE %s" % where_clause if where_clause else ""
    if kind == "count":
        return "SELECT count(1) FROM %s%s" % (from_clause, where), params
    if kind == "group":
        return ('SELECT "crm_lead".stage_id, count(1) FROM %s%s GROUP BY 1' % (
            from_clause, where), params)
    return ('SELECT "crm_lead".id FROM %s%s%s%s' % (
        from_clause, where, order_by, " LIMIT %d" % limit if limit else "")), params


def timing(cr, sql, params, repeat):
    times = []
    for _run in range(repeat):
        start = time.time()
        cr.execute(sql, params)
        cr.fetchall()
        times.append(time.time() - start)
    return min(times)


def plan(cr, sql, params):
    cr.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql, params)
    return [row[0] for row in cr.fetchall()]


def short(lines):
    """The plan's nodes and conditions, without the parameters' values."""
    text = " / ".join(line.strip() for line in lines if not line.strip().startswith(
        ("Sort Key", "Rows Removed", "Heap Blocks", "Sort Method", "Worker", "Workers")))
    text = re.sub(r"'\{[^}]*\}'::integer\[\]", "'{...}'", text)
    return text if len(text) < 400 else text[:400] + "..."


def main():
    options = parse()
    odoo.tools.config.parse_config(options.odoo_args)
    registry = odoo.registry(options.db)
    counts = sizes(options.insight_sizes)
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"})
        teams = ensure_data(env, counts)[max(counts)]
        ensure_trash(env, teams[-1], options.trashed)
        manager = env["res.users"].search([("login", "=", "bench_insights_manager")]).id or \
            env.ref("base.user_root").id
        rep = env.ref("base.user_demo").id
        cr.execute("SELECT count(*), count(trash_date) FROM crm_lead")
        total, trashed = cr.fetchone()
    print("The trash filter: %d opportunities and leads, %d in the trash; %s" % (
        total, trashed, load()))
    rows, plans = [], []
    for uid, who in ((SUPERUSER_ID, "superuser"), (manager, "sales manager"),
                     (rep, "sales rep (demo)")):
        with api.Environment.manage(), registry.cursor() as cr:
            env = api.Environment(cr, uid, {"lang": "en_US"})
            for label, domain, kind, order, limit, archived in searches(teams):
                with_sql = query(env, domain, kind, order, limit, True, archived)
                without_sql = query(env, domain, kind, order, limit, False, archived)
                # Alternately, so that the machine's load weighs on both alike.
                times = {True: [], False: []}
                for _run in range(options.repeat):
                    for trash_filter, built in ((False, without_sql), (True, with_sql)):
                        times[trash_filter].append(timing(cr, *built, repeat=1))
                with_time, without_time = min(times[True]), min(times[False])
                with_plan = plan(cr, *with_sql)
                rows.append([who, label, "%.1f ms" % (1000 * without_time),
                             "%.1f ms" % (1000 * with_time),
                             "%+.1f ms" % (1000 * (with_time - without_time)),
                             # Each row's (the trash's own rows, from their partial index,
                             # are not a read of every row).
                             "yes" if "trash_date IS NULL" in " ".join(with_plan) else "no"])
                plans.append((who, label, plan(cr, *without_sql), with_plan))
            cr.rollback()
    print_table("The same searches without and with the trash filter (best of %d; data of %s)"
                % (options.repeat, size_label(max(counts))),
                ["user", "search", "without", "with", "difference",
                 "reads each row's trash_date"], rows)
    print("\nPlans (EXPLAIN ANALYZE), without -> with the trash filter:")
    for who, label, without_plan, with_plan in plans:
        if options.plans or who != "sales manager":
            print("- %s, %s:\n    without: %s\n    with:    %s" % (
                who, label, short(without_plan), short(with_plan)))
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"lang": "en_US", "active_test": False})
        Lead = env["crm.lead"]
        trash_sql = query(env, [("trash_date", "!=", False)], "ids", "trash_date desc", None,
                          True, archived=True)
        trash_time = timing(cr, *trash_sql, repeat=options.repeat)
        print("\nThe Trash menu (trash_date set, %d rows): %.1f ms; plan: %s" % (
            len(Lead.search([("trash_date", "!=", False)])), 1000 * trash_time,
            short(plan(cr, *trash_sql))))
        cr.execute("""
            SELECT indexrelname, pg_size_pretty(pg_relation_size(indexrelid)), indexdef
            FROM pg_stat_user_indexes JOIN pg_indexes ON indexname = indexrelname
            WHERE relname = 'crm_lead' AND indexdef LIKE '%%trash_date%%'""")
        for name, size, definition in cr.fetchall():
            print("Index %s: %s (%s)" % (name, size, definition))
    print("\n%s" % load())


if __name__ == "__main__":
    main()
