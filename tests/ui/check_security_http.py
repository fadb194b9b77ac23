"""Browser check: the export gate and "Download all" through the real web client and HTTP.

As the demo sales user (no export permission), the pivot's Download of the sales insights
analysis is refused with the error dialog and no file; as the administrator the same Download
gives the .xls. "Download all" streams a zip whose names are safe.

Run by `make test` against a running server:
    check_security_http.py --url http://127.0.0.1:8169 --db DB --out docs/
"""
import argparse
import io
import json
import sys
import zipfile

from playwright.sync_api import sync_playwright

from check_opportunity_form import CHROMIUM_ARGS, rpc

# A query string makes it a new page load (a hash change alone races with the home action).
PIVOT = "/web?pivot=1#action=crm_opportunity_suite.crm_opportunity_insight_report_action"


def login(context, options, login, password):
    page = context.new_page()
    page.goto("%s/web/login?db=%s" % (options.url, options.db))
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("#oe_main_menu_navbar", timeout=60000)
    return page


def pivot_download(page, options):
    """(downloaded file name or None, error dialog text or None) of the pivot's Download."""
    page.goto(options.url + PIVOT)
    try:
        page.wait_for_selector(".o_pivot_download", timeout=60000)
    except Exception:
        page.screenshot(path="%s/security_pivot_failure.tmp.png" % options.out.rstrip("/"))
        raise
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    page.click(".o_pivot_download")
    try:
        page.wait_for_selector(".modal-dialog .modal-body", timeout=8000)
        dialog = page.inner_text(".modal-dialog .modal-body")
    except Exception:
        dialog = None
    page.wait_for_timeout(1000)
    return (downloads[0].suggested_filename if downloads else None), dialog


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", required=True)
    options = parser.parse_args()
    problems = []

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             headless=True, args=CHROMIUM_ARGS)
        rep = browser.new_context(locale="en-US", accept_downloads=True)
        page = login(rep, options, "demo", "demo")
        name, dialog = pivot_download(page, options)
        if name or not dialog or "not allowed to export" not in dialog:
            problems.append("rep's pivot download: file %r, dialog %r" % (name, dialog))

        # The rep's own opportunity, a file with a hostile name, Download all.
        lead = rpc(page, "crm.lead", "search_read", [[["user_id.login", "=", "demo"]]],
                   {"fields": ["id"], "limit": 1})[0]
        rpc(page, "ir.attachment", "create", [{
            "name": "..\\..\\evil.txt", "datas_fname": "..\\..\\evil.txt",
            "datas": "aGVsbG8=", "res_model": "crm.lead", "res_id": lead["id"]}])
        response = rep.request.get(
            "%s/crm_opportunity_suite/opportunity/%d/attachments.zip" % (
                options.url, lead["id"]))
        body = response.body()
        if response.status != 200 or not body.startswith(b"PK"):
            problems.append("Download all: HTTP %s" % response.status)
        else:
            names = zipfile.ZipFile(io.BytesIO(body)).namelist()
            if not names or any("\\" in n or "/" in n or ".." in n for n in names):
                problems.append("Download all: unsafe names %r" % names)
            if response.headers.get("content-length") != str(len(body)):
                problems.append("Download all: no Content-Length")
        # The gate answers a hand-made request too (no model named: refused).
        refused = rep.request.post(options.url + "/web/pivot/export_xls", form={
            "data": json.dumps({"headers": [], "measure_row": [], "rows": [],
                                "nbr_measures": 0, "title": "x"}), "token": "1",
            "csrf_token": page.evaluate("() => odoo.csrf_token")})
        if refused.status != 403:
            problems.append("hand-made pivot download: HTTP %s" % refused.status)
        rep.close()

        admin = browser.new_context(locale="en-US", accept_downloads=True)
        page = login(admin, options, "admin", "admin")
        name, dialog = pivot_download(page, options)
        if not name or not name.endswith(".xls") or dialog:
            problems.append("admin's pivot download: file %r, dialog %r" % (name, dialog))
        admin.close()
        browser.close()

    for problem in problems:
        print("FAIL: %s" % problem)
    print("security check: %s" % ("failed" if problems else "ok"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
