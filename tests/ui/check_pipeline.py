"""Browser check: the rep's pipeline (kanban) after its speed-ups (issue 18).

As the demo rep, in English and in French: an opportunity of theirs with the probability tag
Hot and an overdue task; the pipeline shows its card with the tag's badge and its amount, and
the column's progress bar counts it as overdue and its activity button has the overdue
colour (both counted in SQL, models/crm_lead/pipeline.py); the open columns' cards come in
one request (static/src/js/kanban_columns.js), "Load more" of a column of more than 80 cards
as well.

Run by `make test` against a running server:
    check_pipeline.py --url http://127.0.0.1:8169 --db DB --out docs/
"""
import datetime
import sys
import time

from journey import parse_options, run_journeys

HOT = {"en_US": "Hot", "fr_FR": "Chaud"}
LIMIT = 80   # the cards of a kanban column (the limit of crm's action, Odoo's default)   # the demo probability tag, as each language names it


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
    requests, more_ids = [], []
    j.page.on("request", lambda request: requests.append(request.url))
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
        # The open columns' cards in one request (static/src/js/kanban_columns.js), not one
        # /web/dataset/search_read per column.
        columns = [url for url in requests if "search_read_columns" in url]
        j.check(len(columns) == 1 and not any("/web/dataset/search_read" in url
                                               for url in requests),
                "the columns are read in one request: %r" % [
                    url for url in requests if "search_read" in url])
        j.shot("pipeline")
        load_more(j, name, requests, more_ids)
    finally:
        for record_id in [lead_id] + more_ids:
            j.rpc("crm.lead", "unlink", [[record_id]])   # a rep deletes one at a time


def load_more(j, name, requests, more_ids):
    """A column of more cards than a column shows (the action's 80): those and "Load more"
    (the column's count from the batched request), which adds the rest through the same
    batched request."""
    stage = j.ref("crm.stage_lead1")
    domain = [["type", "=", "opportunity"], ["user_id", "=", j.uid], ["stage_id", "=", stage]]
    for index in range(max(0, LIMIT + 1 - j.rpc("crm.lead", "search_count", [domain]))):
        more_ids.append(j.rpc("crm.lead", "create", [{
            "name": "%s, more %02d" % (name, index), "type": "opportunity", "user_id": j.uid,
            "team_id": j.ref("sales_team.team_sales_department"), "stage_id": stage}]))
    total = j.rpc("crm.lead", "search_count", [domain])
    del requests[:]
    j.page.reload()
    column = j.page.locator(".o_kanban_group:has(.o_kanban_record:has-text('%s'))" % name)
    column.locator(".o_kanban_load_more").wait_for(timeout=60000)
    j.settle()
    shown = column.locator(".o_kanban_record").count()
    j.check(shown == LIMIT, "a column shows its first %d cards: %d" % (LIMIT, shown))
    column.locator(".o_kanban_load_more button, .o_kanban_load_more a").first.click()
    j.page.wait_for_function(
        "n => [...document.querySelectorAll('.o_kanban_group')].some("
        "g => g.querySelectorAll('.o_kanban_record').length === n)", arg=total, timeout=60000)
    j.settle()
    j.check(column.locator(".o_kanban_load_more").count() == 0,
            "the column's count: no more cards to load after %d" % total)
    reads = [url for url in requests if "search_read" in url]
    j.check(len([url for url in reads if "search_read_columns" in url]) == 2
            and len(reads) == 2, "load and load more read the columns in one request "
                                  "each: %r" % reads)


def main():
    return run_journeys(parse_options(), "pipeline", [("demo", "demo", pipeline_journey)])


if __name__ == "__main__":
    sys.exit(main())
