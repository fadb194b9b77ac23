"""The browser session of a journey (check_journeys.py): login in a language, helpers to open
forms and lists, use dialogs and menus, check and take screenshots. Not a check itself."""
import time

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
