"""Browser check: download the addon's PDF reports from a real server (wkhtmltopdf with the
web client's styles), check their text, and save page 1 of each as a PNG in docs/.

Run by `make test` against a running server:
    check_reports.py --url http://127.0.0.1:8169 --db DB --out docs/
"""
import argparse
import os
import subprocess
import sys
import tempfile

from playwright.sync_api import sync_playwright

from check_opportunity_form import CHROMIUM_ARGS, rpc


def pdf_text_and_png(content, png_path):
    with tempfile.TemporaryDirectory() as directory:
        pdf = os.path.join(directory, "report.pdf")
        with open(pdf, "wb") as handle:
            handle.write(content)
        text = subprocess.check_output(["pdftotext", "-layout", pdf, "-"]).decode()
        subprocess.check_call(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1",
                               "-singlefile", pdf, png_path[:-4]])
    return text


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", required=True)
    options = parser.parse_args()
    problems = []
    out = options.out.rstrip("/")

    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS,
            locale="en-US")
        page = context.new_page()
        page.goto("%s/web/login?db=%s" % (options.url, options.db))
        page.fill("input[name=login]", "admin")
        page.fill("input[name=password]", "admin")
        page.click("button[type=submit]")
        page.wait_for_selector("#oe_main_menu_navbar", timeout=60000)

        lead = rpc(page, "crm.lead", "search_read",
                   [[["name", "=", "Office fit-out for the new Taipei branch"]]],
                   {"fields": ["id", "reference"], "limit": 1})[0]
        reports = [
            ("opportunity_quote.png",
             "/report/pdf/crm_opportunity_suite.report_opportunity_quote/%d" % lead["id"],
             [lead["reference"], "iPad Retina Display", "GAP Analysis Service", "Total"]),
        ]
        wizard_id = rpc(page, "crm.sales.insight.wizard", "create", [{"months": 3}])
        reports.append((
            "sales_insights.png",
            "/report/pdf/crm_opportunity_suite.report_sales_insights/%d" % wizard_id,
            ["Sales insights", "Weighted pipeline of the coming months", "Performance per rep",
             "Conversion by stage"]))
        for png, path, expected in reports:
            response = context.request.get(options.url + path, timeout=120000)
            body = response.body()
            if response.status != 200 or not body.startswith(b"%PDF"):
                problems.append("%s: HTTP %s, not a PDF" % (path, response.status))
                continue
            text = pdf_text_and_png(body, "%s/%s" % (out, png))
            for item in expected:
                if item not in text:
                    problems.append("%s does not show %r" % (png, item))
        context.close()

    for problem in problems:
        print("FAIL: %s" % problem)
    print("reports check: %s" % ("failed" if problems else "ok"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
