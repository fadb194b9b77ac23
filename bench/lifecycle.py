"""Benchmark: bulk close and tracks (issue "Tracks, recurring tasks and the lifecycle").

On the benchmark opportunities (created in SQL once per database), for each size (--sizes,
default 1k, 10k and 100k opportunities; --track-sizes for the tracks), each timing in a
transaction rolled back afterwards:
  (b) this addon's bulk close of that many open opportunities as Lost with a reason
      (crm.lead.action_close, what the bulk close dialog calls: one chatter line each),
      against the baseline: raw SQL doing the same (one UPDATE, one INSERT of the notes, no
      check);
  (c) a 10-task track applied to that many opportunities (crm.lead.apply_track), checked: 10
      activities per opportunity, the owner following it, its next deadline stored; against
      the baseline: raw SQL inserting the same rows (no check);
and once, on a few opportunities, the stock ways:
  (a) per opportunity, the lost reason then action_set_lost() (what the "Mark Lost" wizard
      does), in a loop, on --stock-close;
  (d) scheduling the same 10 activities per opportunity one by one (mail.activity.create()),
      on --stock-track-leads.
Prints per size the times, rows/s and ratios (addon/raw SQL time, addon/stock rows per second).
Run through `make bench` (or tools/bench.sh), which passes the Odoo options.
"""
import argparse

import odoo
from odoo import SUPERUSER_ID, api

from _common import (ensure_leads, load, measure, parse_args, print_table, rate, seconds,
                     size_label, sizes)

END_DATE = "2030-06-28"


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--leads", type=int, default=20000,
                        help="opportunities in the database (at least the largest size)")
    parser.add_argument("--sizes", default="1k,10k,100k", help="opportunities closed at once")
    parser.add_argument("--track-sizes", default="1k,10k,100k",
                        help="opportunities given a track at once")
    parser.add_argument("--stock-close", type=int, default=100,
                        help="opportunities for the stock loop (0: skip it; ~15/s)")
    parser.add_argument("--stock-track-leads", type=int, default=10,
                        help="opportunities for the stock activity loop (0: skip it; ~2/s)")
    parser.add_argument("--profile", choices=["close", "track"],
                        help="cProfile the addon's bulk close or track on the first size")
    return parse_args(parser)


def make_track(env):
    call = env.ref("mail.mail_activity_data_call")
    return env["crm.track"].create({
        "name": "Bench track",
        "task_ids": [(0, 0, {"sequence": n, "activity_type_id": call.id,
                             "summary": "Task %d" % n, "offset_days": 20 - 2 * n})
                     for n in range(10)]})


def stock_close(ids, reason_id):
    def run(env):
        # One opportunity at a time, as the "Mark Lost" dialog does (a record browsed on its
        # own: browsing them all at once would make each write re-read all of them).
        for lead_id in ids:
            lead = env["crm.lead"].browse(lead_id)
            lead.write({"lost_reason": reason_id})
            lead.action_set_lost()
        assert set(env["crm.lead"].with_context(active_test=False).browse(ids).mapped(
            "status")) == {"lost"}
    return run


def addon_close(ids, reason_id):
    def run(env):
        return env["crm.lead"].browse(ids).action_close(won=False, lost_reason=reason_id)
    return run


def check_close(ids, reason_id):
    def check(env, closed):
        assert closed == len(ids)
        env.cr.execute("SELECT count(*) FROM crm_lead WHERE id IN %s AND status = 'lost' "
                       "AND NOT active AND probability = 0 AND lost_reason = %s "
                       "AND date_closed IS NOT NULL", (tuple(ids), reason_id))
        lost = env.cr.fetchone()[0]
        notes = env["mail.message"].search_count([
            ("model", "=", "crm.lead"), ("res_id", "in", ids),
            ("body", "like", "Closed as lost (bulk close)")])
        assert lost == notes == len(ids), (lost, notes)
    return check


def raw_close(ids, reason_id):
    def run(env):
        env.cr.execute("""
            UPDATE crm_lead SET status = 'lost', lost_reason = %s, active = false,
                   probability = 0, on_hold = false, date_closed = now(), write_uid = 1,
                   write_date = now()
            WHERE id IN %s""", (reason_id, tuple(ids)))
        env.cr.execute("""
            INSERT INTO mail_message (model, res_id, body, message_type, subtype_id, author_id,
                                      date, record_name, create_uid, write_uid, create_date,
                                      write_date)
            SELECT 'crm.lead', l.id, '<p>Closed as lost (bulk close): Too expensive.</p>',
                   'notification', %s, 3, now(), l.name, 1, 1, now(), now()
            FROM crm_lead l WHERE l.id IN %s""", (env.ref("mail.mt_note").id, tuple(ids)))
    return run


def addon_track(ids):
    def run(env):
        env["crm.lead"].browse(ids).apply_track(make_track(env), END_DATE)
    return run


def check_track(ids):
    def check(env, _result):
        env.cr.execute("""
            SELECT count(*), count(DISTINCT act.res_id), count(DISTINCT follower.res_id),
                   count(DISTINCT lead.id) FILTER (WHERE lead.activity_date_deadline = '2030-05-31')
            FROM mail_activity act
            JOIN crm_lead lead ON lead.id = act.res_id
            LEFT JOIN res_users owner ON owner.id = lead.user_id
            LEFT JOIN mail_followers follower ON follower.res_model = 'crm.lead'
                 AND follower.res_id = lead.id AND follower.partner_id = owner.partner_id
            WHERE act.res_model = 'crm.lead' AND act.res_id IN %s""", (tuple(ids),))
        activities, with_tasks, followed, deadlines = env.cr.fetchone()
        assert activities == 10 * len(ids) and with_tasks == followed == deadlines == len(
            ids), (activities, with_tasks, followed, deadlines)
    return check


def raw_track(ids):
    def run(env):
        track = make_track(env)
        model_id = env["ir.model"]._get("crm.lead").id
        call = env.ref("mail.mail_activity_data_call").id
        env.cr.execute("""
            WITH tracks AS (
                INSERT INTO crm_lead_track (lead_id, track_id, end_date, state, create_uid,
                                            write_uid, create_date, write_date)
                SELECT unnest(%(ids)s::int[]), %(track)s, %(end)s, 'active', 1, 1, now(), now()
                RETURNING id, lead_id
            ), activities AS (
                INSERT INTO mail_activity (res_model_id, res_model, res_id, res_name,
                                           activity_type_id, summary, user_id, date_deadline,
                                           recurrence_interval, recurrence_index, create_uid,
                                           write_uid, create_date, write_date)
                SELECT %(model)s, 'crm.lead', l.id, l.name, %(call)s, 'Task ' || n,
                       coalesce(l.user_id, 1), %(end)s::date - 3 * n, 0, 0, 1, 1, now(), now()
                FROM crm_lead l CROSS JOIN generate_series(0, 9) n
                WHERE l.id = ANY(%(ids)s)
                RETURNING id, res_id, summary, user_id, date_deadline
            )
            INSERT INTO crm_lead_track_task (lead_track_id, lead_id, sequence, activity_type_id,
                                             summary, user_id, date_deadline, state,
                                             activity_id, create_uid, write_uid, create_date,
                                             write_date)
            SELECT t.id, t.lead_id, substr(a.summary, 6)::int, %(call)s, a.summary, a.user_id,
                   a.date_deadline, 'open', a.id, 1, 1, now(), now()
            FROM activities a JOIN tracks t ON t.lead_id = a.res_id""", {
                "ids": list(ids), "track": track.id, "end": END_DATE, "model": model_id,
                "call": call})
        env.cr.execute("""
            UPDATE crm_lead SET activity_date_deadline = next.deadline
            FROM (SELECT res_id, min(date_deadline) AS deadline FROM mail_activity
                  WHERE res_model = 'crm.lead' AND res_id IN %s GROUP BY res_id) AS next
            WHERE crm_lead.id = next.res_id""", (tuple(ids),))
        env.cr.execute("""
            INSERT INTO mail_followers (res_model, res_id, partner_id)
            SELECT DISTINCT 'crm.lead', l.id, u.partner_id FROM crm_lead l
            JOIN res_users u ON u.id = l.user_id
            WHERE l.id IN %s AND NOT EXISTS (
                SELECT 1 FROM mail_followers f WHERE f.res_model = 'crm.lead'
                AND f.res_id = l.id AND f.partner_id = u.partner_id)""", (tuple(ids),))
        env.cr.execute("""
            INSERT INTO mail_message (model, res_id, body, message_type, subtype_id, author_id,
                                      date, record_name, create_uid, write_uid, create_date,
                                      write_date)
            SELECT 'crm.lead', l.id, '<p>Track applied.</p>', 'notification', %s, 3, now(),
                   l.name, 1, 1, now(), now()
            FROM crm_lead l WHERE l.id IN %s""", (env.ref("mail.mt_note").id, tuple(ids)))
    return run


def stock_track(ids):
    def run(env):
        templates = make_track(env).task_ids
        model_id = env["ir.model"]._get("crm.lead").id
        for lead_id in ids:
            lead = env["crm.lead"].browse(lead_id)
            for template in templates:
                env["mail.activity"].create({
                    "res_model_id": model_id, "res_id": lead_id,
                    "activity_type_id": template.activity_type_id.id,
                    "summary": template.summary, "user_id": lead.user_id.id,
                    "date_deadline": "2030-06-%02d" % (10 + template.sequence)})
    return run


def profile(registry, function, check):
    import cProfile
    import pstats
    profiler = cProfile.Profile()
    elapsed, _result = measure(registry, lambda env: profiler.runcall(function, env),
                               check=check)
    print("profiled: %.2f s" % elapsed)
    pstats.Stats(profiler).strip_dirs().sort_stats("cumulative").print_stats(60)


def main():
    options = parse()
    odoo.tools.config.parse_config(options.odoo_args)
    registry = odoo.registry(options.db)
    close_sizes, track_sizes = sizes(options.sizes), sizes(options.track_sizes)
    leads = max([options.leads] + close_sizes + track_sizes)
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"})
        ensure_leads(env, leads)
        ids = env["crm.lead"].search([("name", "like", "Bench %"), ("status", "=", "open")],
                                     order="id", limit=max(close_sizes + track_sizes)).ids
        reason_id = env["crm.lost.reason"].search([], limit=1).id
    print("Bulk close and tracks: %d opportunities; %s" % (leads, load()))
    if options.profile == "close":
        return profile(registry, addon_close(ids[:close_sizes[0]], reason_id),
                       check_close(ids[:close_sizes[0]], reason_id))
    if options.profile == "track":
        return profile(registry, addon_track(ids[:track_sizes[0]]),
                       check_track(ids[:track_sizes[0]]))
    stock_rate = track_stock_rate = None
    if options.stock_close:
        elapsed, _result = measure(registry, stock_close(ids[:options.stock_close], reason_id))
        stock_rate = options.stock_close / elapsed
        print("(a) stock lost reason + action_set_lost(), one at a time: %d opportunities in "
              "%.2f s = %.1f/s" % (options.stock_close, elapsed, stock_rate))
    if options.stock_track_leads:
        elapsed, _result = measure(registry, stock_track(ids[:options.stock_track_leads]))
        track_stock_rate = options.stock_track_leads / elapsed
        print("(d) stock mail.activity.create() x10, one at a time: %d opportunities in %.2f s "
              "= %.2f/s" % (options.stock_track_leads, elapsed, track_stock_rate))
    rows = []
    for count in close_sizes:
        addon_time, _result = measure(registry, addon_close(ids[:count], reason_id),
                                      check=check_close(ids[:count], reason_id))
        raw_time, _result = measure(registry, raw_close(ids[:count], reason_id))
        rows.append([size_label(count), seconds(addon_time), rate(count, addon_time),
                     seconds(raw_time), rate(count, raw_time), "%.1f" % (addon_time / raw_time),
                     "%.0f" % (count / addon_time / stock_rate) if stock_rate else "-"])
        print("  bulk close of %s done (%s)" % (size_label(count), load()))
    print_table("(b) bulk close as Lost with a reason, one chatter line each (target >= 2,000/s) "
                "vs raw SQL (one UPDATE, one INSERT of the notes) and vs (a) the stock loop",
                ["opportunities", "(b) addon", "per second", "raw SQL", "per second",
                 "b/raw time", "b/a per second (>= 10)"], rows)
    rows = []
    for count in track_sizes:
        addon_time, _result = measure(registry, addon_track(ids[:count]),
                                      check=check_track(ids[:count]))
        raw_time, _result = measure(registry, raw_track(ids[:count]))
        rows.append([size_label(count), "{:,}".format(10 * count), seconds(addon_time),
                     rate(count, addon_time), seconds(raw_time), rate(count, raw_time),
                     "%.1f" % (addon_time / raw_time),
                     "%.0f" % (count / addon_time / track_stock_rate) if track_stock_rate
                     else "-"])
        print("  track on %s done (%s)" % (size_label(count), load()))
    print_table("(c) a 10-task track applied at once (target <= 2 s for 1k) vs raw SQL inserting "
                "the same rows and vs (d) the stock activity loop",
                ["opportunities", "activities", "(c) addon", "per second", "raw SQL",
                 "per second", "c/raw time", "c/d per second"], rows)
    print("\n%s" % load())


if __name__ == "__main__":
    main()
