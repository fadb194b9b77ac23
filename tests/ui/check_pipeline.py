"""Browser check: the rep's pipeline (kanban) after its speed-ups (issue 18).

As the demo rep, in English and in French: an opportunity of theirs with the probability tag
Hot and an overdue task; the pipeline shows its card with the tag's badge and its amount, and
the column's progress bar counts it as overdue and its activity button has the overdue
colour (both counted in SQL, models/crm_lead/pipeline.py).

Run by `make test` against a running server:
    check_pipeline.py --url http://127.0.0.1:8169 --db DB --out docs/
"""
import argparse
import datetime
import sys
import tempfile
import time
import traceback

from playwright.sync_api import sync_playwright

from journey import Journey

HOT = {"en_US": "Hot", "fr_FR": "Chaud"}   # the demo probability tag, as each language names it


def pipeline_journey(j):
    name = "Pipeline check %d" % (time.time() * 1000)
    lead_id = j.rpc("crm.lead", "create", [{
        "name": name, "type": "opportunity", "user_id": j.uid, "planned_revenue": 4321,
        "team_id": j.ref("sales_team.team_sales_department"),
        "stage_id": j.ref("crm.stage_lead1"),
        "probability_tag_id": j.ref("crm_opportunity_suite.probability_tag_hot")}])
    j.rpc("mail.activity", "create", [{
        "res_model_id": j.rpc("ir.model", "search", [[["model", "=", "crm.lead"]]])[0],
        "res_id": lead_id, "activity_type_id": j.ref("mail.mail_activity_data_call"),
        "user_id": j.uid, "summary": "Late call",
        "date_deadline": str(datetime.date.today() - datetime.timedelta(days=3))}])
    try:
        j.page.goto("%s/web?_=%d#action=%d&view_type=kanban" % (
            j.options.url, time.time() * 1000, j.ref("crm.crm_lead_opportunities_tree_view")))
        card = j.page.locator(".o_kanban_record:has-text('%s')" % name)
        card.wait_for(timeout=60000)
        j.settle()
        badge = card.locator(".o_probability_tag").inner_text().strip()
        j.check(badge.startswith(HOT[j.lang]) and "75" in badge,
                "the card shows the badge of its probability tag: %r" % badge)
        j.check("4,321" in card.inner_text() or "4 321" in card.inner_text()
                or "4\u202f321" in card.inner_text() or "4\xa0321" in card.inner_text(),
                "the card shows its amount: %r" % card.inner_text()[:200])
        # The card's activity clock in the colour of its activity state (counted in SQL).
        j.check(card.locator(".o_activity_color_overdue").count() == 1,
                "the card's activity button is the overdue colour")
        column = j.page.locator(".o_kanban_group:has(.o_kanban_record:has-text('%s'))" % name)
        overdue = column.locator(".o_kanban_counter_progress .progress-bar[data-filter=overdue]")
        title = overdue.get_attribute("data-original-title") or ""
        j.check("o_bar_has_records" in (overdue.get_attribute("class") or "")
                and int(title.split()[0] or 0) >= 1,
                "the column's progress bar counts the overdue opportunity: %r" % title)
        j.shot("pipeline")
    finally:
        j.rpc("crm.lead", "unlink", [[lead_id]])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", required=True)
    options = parser.parse_args()
    problems = []
    with sync_playwright() as playwright:
        for lang in ("en_US", "fr_FR"):
            with tempfile.TemporaryDirectory() as profile:
                journey = Journey(playwright, profile, options, "demo", "demo", lang)
                try:
                    pipeline_journey(journey)
                except Exception as error:
                    journey.shot("failure_pipeline")
                    where = [frame for frame in traceback.extract_tb(error.__traceback__)
                             if frame.filename == __file__][-1]
                    journey.problems.append("[%s] %s at line %d: %s" % (
                        lang, type(error).__name__, where.lineno, str(error)[:400]))
                finally:
                    journey.rpc("res.users", "write", [[journey.uid], {"lang": "en_US"}])
                    journey.context.close()
                problems += journey.problems
                print("pipeline %s: %s" % (lang, "failed" if journey.problems else "ok"))
                sys.stdout.flush()
    for problem in problems:
        print("FAIL: %s" % problem)
    print("pipeline check: %s" % ("failed" if problems else "ok"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
