"""The browser session of a journey (check_journeys.py): login in a language, helpers to open
forms and lists, use dialogs and menus, check and take screenshots. Not a check itself."""
import argparse
import os
import sys
import tempfile
import time
import traceback

from playwright.sync_api import sync_playwright

from check_opportunity_form import CHROMIUM_ARGS, rpc

LABELS = {
    "en_US": {"tracks": "Tracks", "items": "Items", "documents": "Documents",
              "export": "Export to spreadsheet", "close": "Close as won or lost", "trash": "Trash",
              "restore": "Restore from the trash", "add_track": "Add track",
              "insights": "Sales insights", "after_import": "After the import", "add": "Add"},
    "fr_FR": {"tracks": "Parcours", "items": "Articles", "documents": "Documents",
              "export": "Exporter vers un tableur",
              "close": "Clôturer comme gagnées ou perdues", "trash": "Corbeille",
              "restore": "Restaurer depuis la corbeille", "add_track": "Ajouter un parcours",
              "insights": "Analyses commerciales", "after_import": "Après l'import",
              "add": "Ajouter"},
}


class Journey:
    def __init__(self, playwright, profile, options, login, password, lang):
        self.options = options
        self.lang = lang
        self.problems = []
        self.context = playwright.chromium.launch_persistent_context(
            profile, executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000}, accept_downloads=True,
            locale="fr-FR" if lang == "fr_FR" else "en-US")
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.problems.append("JS error: %s" % error))
        self.page.goto("%s/web/login?db=%s" % (options.url, options.db))
        self.page.fill("input[name=login]", login)
        self.page.fill("input[name=password]", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_selector("#oe_main_menu_navbar", timeout=60000)
        self.uid = self.rpc("res.users", "search", [[["login", "=", login]]])[0]
        self.rpc("res.users", "write", [[self.uid], {"lang": lang}])
        self.page.wait_for_function(
            "() => window.odoo && odoo.__DEBUG__ && odoo.__DEBUG__.services['web_tour.tour']",
            timeout=60000)
        tours = self.page.evaluate(
            "() => Object.keys(odoo.__DEBUG__.services['web_tour.tour'].tours || {})")
        if tours:
            try:
                self.rpc("web_tour.tour", "consume", [tours])
            except Exception:  # non-admin users may not: close the bubbles by hand instead
                self.page.evaluate("() => odoo.__DEBUG__.services['web_tour.tour']"
                                   ".tours && Object.keys(odoo.__DEBUG__.services["
                                   "'web_tour.tour'].tours).forEach(name => "
                                   "odoo.__DEBUG__.services['web_tour.tour']._consume_tour"
                                   " && odoo.__DEBUG__.services['web_tour.tour']"
                                   "._consume_tour(name))")
        self.labels = LABELS[lang]

    def rpc(self, model, method, args, kwargs=None):
        return rpc(self.page, model, method, args, kwargs)

    def ref(self, xmlid):
        return self.rpc("ir.model.data", "xmlid_to_res_id", [xmlid])

    def check(self, condition, message):
        if not condition:
            self.problems.append("[%s] %s" % (self.lang, message))
        return condition

    def settle(self):
        self.page.wait_for_selector(".o_loading", state="hidden", timeout=60000)
        time.sleep(0.5)

    def shot(self, name):
        self.settle()
        self.page.screenshot(path="%s/journey_%s_%s.png" % (
            self.options.out.rstrip("/"), name, self.lang[:2]))

    def open_form(self, lead_id):
        # A new query string each time: the same URL would only change the hash (no reload).
        self.page.goto("%s/web?_=%d#id=%d&model=crm.lead&view_type=form&action=%d" % (
            self.options.url, time.time() * 1000, lead_id,
            self.ref("crm.crm_lead_opportunities")))
        self.page.wait_for_selector(".o_form_view", timeout=60000)
        self.settle()

    def open_list(self):
        self.page.goto("%s/web?_=%d#model=crm.lead&view_type=list&action=%d" % (
            self.options.url, time.time() * 1000, self.ref("crm.crm_lead_opportunities")))
        self.page.wait_for_selector(".o_list_view", timeout=60000)
        self.settle()

    def confirm(self):
        """Click OK in the confirmation dialog on top."""
        self.page.locator(".modal-dialog").last.locator(
            ".modal-footer button.btn-primary").click()
        self.settle()

    def tab(self, label):
        self.page.click(".o_notebook a:has-text('%s')" % label)
        self.settle()

    def action_menu(self, label):
        self.page.click(".o_cp_sidebar button:has-text('Action'), "
                        ".o_cp_sidebar .o_dropdown_toggler_btn:has-text('Action')")
        self.page.click(".o_cp_sidebar .open .dropdown-menu a:has-text('%s')" % label)
        self.page.wait_for_selector(".modal-dialog", timeout=30000)
        self.settle()

    def select_rows(self, names):
        for name in names:
            row = self.page.locator(".o_list_view tr.o_data_row:has-text('%s')" % name).first
            row.locator("td.o_list_record_selector input").check(force=True)
        self.settle()


def parse_options():
    """The options of a browser check (tools/test_ui.sh passes --url, --db, --out)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--only", help="a language (fr_FR) or a login and a language "
                                       "(demo:fr_FR): developer runs")
    return parser.parse_args()


def run_journeys(options, name, runs, langs=("en_US", "fr_FR")):
    """The main() of a browser check: each run (login, password, function(journey)) in each
    language, in a browser profile of its own; a failure is noted with the line of the check
    where it happened and a screenshot; the user's language is set back to English after.
    Prints a line per run and the result; returns the exit status (1 on any problem)."""
    check_file = os.path.abspath(getattr(sys.modules["__main__"], "__file__", ""))
    slug = name.replace(" ", "_").replace("/", "_")
    problems = []
    with sync_playwright() as playwright:
        for lang in langs:
            for login, password, function in runs:
                if options.only and options.only not in (lang, "%s:%s" % (login, lang)):
                    continue
                with tempfile.TemporaryDirectory() as profile:
                    journey = Journey(playwright, profile, options, login, password, lang)
                    try:
                        function(journey)
                    except Exception as error:  # pylint: disable=broad-except
                        journey.shot("failure_%s_%s" % (slug, login))
                        frames = traceback.extract_tb(error.__traceback__)
                        where = ([frame for frame in frames
                                  if os.path.abspath(frame.filename) == check_file]
                                 or frames)[-1]
                        journey.problems.append("[%s %s] %s at line %d: %s" % (
                            lang, login, type(error).__name__, where.lineno, str(error)[:400]))
                    finally:
                        journey.rpc("res.users", "write", [[journey.uid], {"lang": "en_US"}])
                        journey.context.close()
                    problems += journey.problems
                    print("%s %s %s: %s" % (name, login, lang,
                                            "failed" if journey.problems else "ok"))
                    sys.stdout.flush()
    for problem in problems:
        print("FAIL: %s" % problem)
    print("%s check: %s" % (name, "failed" if problems else "ok"))
    return 1 if problems else 0
