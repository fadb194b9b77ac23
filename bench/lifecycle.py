"""Benchmark: bulk close and tracks (issue "Tracks, recurring tasks and the lifecycle").

On the benchmark opportunities (created in SQL once per database), each timing in a
transaction rolled back afterwards:
  (a) stock Odoo: per opportunity, the lost reason then action_set_lost() (what the "Mark
      Lost" wizard does), in a loop;
  (b) this addon's bulk close of the same opportunities as Lost with the same reason
      (crm.lead.action_close: batched writes, one chatter line per opportunity);
  (c) a 10-task track applied to 1,000 opportunities (crm.lead.apply_track).
Prints seconds, rows/s and the ratio b/a.
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

    def track(env):
        call = env.ref("mail.mail_activity_data_call")
        track = env["crm.track"].create({
            "name": "Bench track",
            "task_ids": [(0, 0, {"sequence": n, "activity_type_id": call.id,
                                 "summary": "Task %d" % n, "offset_days": 20 - 2 * n})
                         for n in range(10)]})
        leads = env["crm.lead"].browse(ids[:options.track_leads])
        leads.apply_track(track, "2030-06-28")
        count = env["mail.activity"].search_count([("res_model", "=", "crm.lead"),
                                                   ("res_id", "in", leads.ids)])
        return "%d activities" % count

    a = timed("(a) stock lost reason + action_set_lost() loop", registry, stock,
              len(stock_ids))
    b = timed("(b) crm_opportunity_suite bulk close", registry, addon, len(close_ids))
    timed("(c) 10-task track applied to opportunities", registry, track, options.track_leads)
    print("ratio b/a = %.1f (target >= 10)" % (b / a))


if __name__ == "__main__":
    main()
