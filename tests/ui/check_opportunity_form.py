"""Browser check: log in, open a demo opportunity's form, check what it shows, screenshot it.

Run by `make test` (Python 3.11 + Playwright, Debian Chromium) against a running server:
    check_opportunity_form.py --url http://127.0.0.1:8169 --db DB --out docs/
Exits non-zero when the form does not show what it should or Odoo shows an error.
"""
import argparse
import re
import sys
import tempfile

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def rpc(page, model, method, args, kwargs=None):
    return page.evaluate(
        """([model, method, args, kwargs]) => fetch('/web/dataset/call_kw', {
            method: 'POST', headers: {'Content-Type': 'application/json'},
            body: JSON.stringify({jsonrpc: '2.0', method: 'call', params: {
                model: model, method: method, args: args, kwargs: kwargs}})
        }).then(r => r.json()).then(r => { if (r.error) throw new Error(JSON.stringify(r.error)); return r.result; })""",
        [model, method, args, kwargs or {}])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    options = parser.parse_args()
    problems = []

    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1500}, locale="en-US")
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append("JavaScript error: %s" % error))

        page.goto("%s/web/login?db=%s" % (options.url, options.db))
        page.fill("input[name=login]", options.login)
        page.fill("input[name=password]", options.password)
        page.click("button[type=submit]")
        page.wait_for_selector("#oe_main_menu_navbar", timeout=60000)

        # Onboarding tours would cover the page with bubbles: mark them all consumed.
        page.wait_for_function(
            "() => window.odoo && odoo.__DEBUG__ && odoo.__DEBUG__.services['web_tour.tour']",
            timeout=60000)
        tours = page.evaluate(
            "() => Object.keys(odoo.__DEBUG__.services['web_tour.tour'].tours || {})")
        if tours:
            rpc(page, "web_tour.tour", "consume", [tours])

        lead = rpc(page, "crm.lead", "search_read",
                   [[["name", "=", "Office fit-out for the new Taipei branch"]]],
                   {"fields": ["id", "reference"], "limit": 1})[0]
        action_id = rpc(page, "ir.model.data", "xmlid_to_res_id", ["crm.crm_lead_opportunities"])
        page.goto("%s/web#id=%d&model=crm.lead&view_type=form&action=%d"
                  % (options.url, lead["id"], action_id))
        form = page.wait_for_selector(".o_form_view", timeout=60000)
        page.wait_for_selector(".o_form_view .o_opportunity_reference", timeout=30000)

        text = form.inner_text()
        expectations = {
            "reference": lead["reference"],
            "title": "Office fit-out for the new Taipei branch",
            "status": "Open",
            "probability tag": "Hot 75%",
            "contact person": "Tang Tsui",
            "items tab": "Items",
            "custom fields group": "Additional information",
            "custom field": "Project size",
        }
        for what, expected in expectations.items():
            if expected not in text:
                problems.append("the form does not show the %s (%r)" % (what, expected))
        if not re.match(r"^OPP\d{5}$", lead["reference"] or ""):
            problems.append("unexpected reference %r" % lead["reference"])

        page.click(".o_notebook a:has-text('Items')")
        page.wait_for_selector(".o_field_one2many[name=line_ids] .o_data_row", timeout=30000)
        rows = page.locator(".o_field_one2many[name=line_ids] .o_data_row").count()
        if rows != 3:
            problems.append("expected 3 item lines, saw %d" % rows)
        if page.locator(".o_dialog_warning, .o_error_detail, .modal-dialog .o_dialog_error").count():
            problems.append("Odoo shows an error dialog: %s"
                            % page.locator(".modal-dialog").first.inner_text())
        page.wait_for_selector(".o_loading", state="hidden", timeout=30000)
        page.screenshot(path="%s/opportunity_form.png" % options.out.rstrip("/"), full_page=True)
        context.close()

    for problem in problems:
        print("FAIL: %s" % problem)
    print("opportunity form check: %s" % ("failed" if problems else "ok"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
