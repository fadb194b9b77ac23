"""Benchmark: bulk close and tracks (issue "Tracks, recurring tasks and the lifecycle").

On the benchmark opportunities (created in SQL once per database), each timing in a
transaction rolled back afterwards:
  (a) stock Odoo: per opportunity, the lost reason then action_set_lost() (what the "Mark
      Lost" wizard does), in a loop;
  (b) this addon's bulk close of the same opportunities as Lost with the same reason
      (crm.lead.action_close: batched writes, one chatter line per opportunity);
  (c) a 10-task track applied to 1,000 opportunities (crm.lead.apply_track), checked: 10
      activities per opportunity, the owner following it, its next deadline stored;
  (d) stock Odoo scheduling the same 10 activities per opportunity one by one
      (mail.activity.create(), what the addon did before), on the first --stock-track-leads.
Prints seconds, rows/s and the ratios b/a and c/d (opportunities per second).
Run through `make bench` (or tools/bench.sh), which passes the Odoo options.
"""
import argparse

import odoo
from odoo import SUPERUSER_ID, api

from _common import ensure_leads, parse_args, timed


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--leads", type=int, default=20000)
    parser.add_argument("--close", type=int, default=10000)
    parser.add_argument("--stock-close", type=int, default=0,
                        help="opportunities for the stock loop (default: all; ~25/s)")
    parser.add_argument("--track-leads", type=int, default=1000)
    parser.add_argument("--stock-track-leads", type=int, default=50,
                        help="opportunities for the stock activity loop (~2/s)")
    return parse_args(parser)


def main():
    options = parse()
    odoo.tools.config.parse_config(options.odoo_args)
    registry = odoo.registry(options.db)
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"})
        ensure_leads(env, options.leads)
        ids = env["crm.lead"].search([("name", "like", "Bench %"), ("status", "=", "open")],
                                     order="id", limit=max(options.close, options.track_leads)).ids
        reason_id = env["crm.lost.reason"].search([], limit=1).id
    close_ids = ids[:options.close]
    stock_ids = close_ids[:options.stock_close or len(close_ids)]
    print("%d opportunities; bulk close of %d as Lost, stock loop on %d" % (
        options.leads, len(close_ids), len(stock_ids)))

    def stock(env):
        # One opportunity at a time, as the "Mark Lost" dialog does (a record browsed on its
        # own: browsing them all at once would make each write re-read all of them).
        for lead_id in stock_ids:
            lead = env["crm.lead"].browse(lead_id)
            lead.write({"lost_reason": reason_id})
            lead.action_set_lost()
        assert set(env["crm.lead"].with_context(active_test=False).browse(stock_ids).mapped(
            "status")) == {"lost"}

    def addon(env):
        leads = env["crm.lead"].browse(close_ids)
        closed = leads.action_close(won=False, lost_reason=reason_id)
        leads.invalidate_cache()
        assert closed == len(close_ids) and set(leads.with_context(
            active_test=False).mapped("status")) == {"lost"}
        notes = env["mail.message"].search_count([
            ("model", "=", "crm.lead"), ("res_id", "in", close_ids),
            ("body", "like", "Closed as lost (bulk close)")])
        assert notes == len(close_ids), notes
        return "%d chatter lines" % notes

    def make_track(env):
        call = env.ref("mail.mail_activity_data_call")
        return env["crm.track"].create({
            "name": "Bench track",
            "task_ids": [(0, 0, {"sequence": n, "activity_type_id": call.id,
                                 "summary": "Task %d" % n, "offset_days": 20 - 2 * n})
                         for n in range(10)]})

    def track(env):
        leads = env["crm.lead"].browse(ids[:options.track_leads])
        leads.apply_track(make_track(env), "2030-06-28")
        env.cr.execute("""
            SELECT count(*), count(DISTINCT act.res_id), count(DISTINCT follower.res_id),
                   count(DISTINCT lead.id) FILTER (WHERE lead.activity_date_deadline = '2030-05-31')
            FROM mail_activity act
            JOIN crm_lead lead ON lead.id = act.res_id
            LEFT JOIN res_users owner ON owner.id = lead.user_id
            LEFT JOIN mail_followers follower ON follower.res_model = 'crm.lead'
                 AND follower.res_id = lead.id AND follower.partner_id = owner.partner_id
            WHERE act.res_model = 'crm.lead' AND act.res_id IN %s""", (tuple(leads.ids),))
        activities, with_tasks, followed, deadlines = env.cr.fetchone()
        assert activities == 10 * len(leads) and with_tasks == followed == deadlines == len(
            leads), (activities, with_tasks, followed, deadlines)
        return "%d activities" % activities

    def stock_track(env):
        templates = make_track(env).task_ids
        model_id = env["ir.model"]._get("crm.lead").id
        count = 0
        for lead_id in ids[:options.stock_track_leads]:
            lead = env["crm.lead"].browse(lead_id)
            for template in templates:
                env["mail.activity"].create({
                    "res_model_id": model_id, "res_id": lead_id,
                    "activity_type_id": template.activity_type_id.id,
                    "summary": template.summary, "user_id": lead.user_id.id,
                    "date_deadline": "2030-06-%02d" % (10 + template.sequence)})
                count += 1
        return "%d activities" % count

    a = timed("(a) stock lost reason + action_set_lost() loop", registry, stock,
              len(stock_ids))
    b = timed("(b) crm_opportunity_suite bulk close", registry, addon, len(close_ids))
    c = timed("(c) 10-task track applied to opportunities", registry, track,
              options.track_leads)
    d = timed("(d) stock mail.activity.create() x10 loop", registry, stock_track,
              options.stock_track_leads)
    print("ratio b/a = %.1f (target >= 10)" % (b / a))
    print("ratio c/d = %.1f (opportunities per second)" % (c / d))


if __name__ == "__main__":
    main()
