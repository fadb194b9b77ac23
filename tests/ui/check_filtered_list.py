"""Browser check: the list actions on a whole filtered list of more records than a page.

As the administrator (English), 85 opportunities made by RPC are filtered by their common
name; the header checkbox ticks the 80 rows of the page; Action -> Export to spreadsheet offers
"All 85 records of the current filter": ticked, the file has 85 rows. Action -> Close as won or
lost on the whole filter closes the 85.

Run by `make test` against a running server:
    check_filtered_list.py --url http://127.0.0.1:8169 --db DB --out docs/
"""
import argparse
import io
import sys
import tempfile
import time
import traceback

import openpyxl
from playwright.sync_api import sync_playwright

from journey import Journey

COUNT = 85


def filter_and_select_page(j, prefix):
    j.open_list()
    j.page.click(".o_searchview_input")
    j.page.keyboard.type(prefix)
    # The first suggestion searches the reference: take the name's.
    j.page.click(".o_searchview_autocomplete li:has-text('Search Opportunity for')")
    j.page.wait_for_selector(".o_searchview_facet:has-text('%s')" % prefix, timeout=30000)
    j.page.wait_for_function("() => (document.querySelector('.o_pager_limit') || {})"
                             ".textContent === '%d'" % COUNT, timeout=30000)
    j.settle()
    j.check(j.page.locator(".o_list_view tr.o_data_row").count() == 80,
            "the list shows one page of 80 rows")
    shown = j.page.locator(".o_pager_limit").inner_text().strip()
    if shown != str(COUNT):
        # Unfiltered, the actions below would export and close the whole pipeline.
        raise RuntimeError("the list is not filtered: %s opportunities" % shown)
    j.page.locator(".o_list_view thead .o_list_record_selector input").check(force=True)
    j.settle()


def tick_whole_filter(j):
    dialog = j.page.locator(".modal-dialog").last
    text = dialog.inner_text()
    j.check("All %d records of the current filter" % COUNT in text,
            "the dialog offers all %d records of the filter: %r" % (COUNT, text[:300]))
    dialog.locator(".o_field_boolean[name=use_domain] input").check(force=True)
    j.settle()


def filtered_list_journey(j):
    prefix = "Filtered list %d" % (time.time() * 1000)
    team_id = j.ref("sales_team.team_sales_department")
    ids = [j.rpc("crm.lead", "create", [{
        "name": "%s %03d" % (prefix, index), "type": "opportunity", "team_id": team_id,
        "user_id": j.uid}]) for index in range(COUNT)]

    filter_and_select_page(j, prefix)
    j.action_menu(j.labels["export"])
    tick_whole_filter(j)
    j.shot("filtered_list")
    with j.page.expect_download(timeout=60000) as download_info:
        j.page.click(".modal-footer button[name=action_export]")
    sheet = openpyxl.load_workbook(io.BytesIO(open(
        download_info.value.path(), "rb").read())).active
    exported = sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))
    j.check(exported == sorted(ids), "the export has the %d opportunities of the filter "
            "(%d rows)" % (COUNT, len(exported)))

    filter_and_select_page(j, prefix)
    j.action_menu(j.labels["close"])
    tick_whole_filter(j)
    j.page.click(".modal-dialog input[type=radio][data-value=won], "
                 ".modal-dialog .o_radio_input[data-value=won]")
    j.page.click(".modal-footer button[name=action_close]")
    j.confirm()
    won = j.rpc("crm.lead", "search_count", [[["id", "in", ids], ["status", "=", "won"]]],
                {"context": {"active_test": False}})
    j.check(won == COUNT, "bulk close on the whole filter won %d of %d" % (won, COUNT))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", required=True)
    options = parser.parse_args()
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        journey = Journey(playwright, profile, options, "admin", "admin", "en_US")
        try:
            filtered_list_journey(journey)
        except Exception as error:
            journey.shot("failure_filtered_list")
            where = [frame for frame in traceback.extract_tb(error.__traceback__)
                     if frame.filename == __file__][-1]
            journey.problems.append("%s at line %d: %s" % (
                type(error).__name__, where.lineno, str(error)[:400]))
        finally:
            journey.context.close()
    for problem in journey.problems:
        print("FAIL: %s" % problem)
    print("filtered list check: %s" % ("failed" if journey.problems else "ok"))
    return 1 if journey.problems else 0


if __name__ == "__main__":
    sys.exit(main())
