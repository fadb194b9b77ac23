"""Issue 17, points 1 and 8, in headless Chromium against a real server, in English and in
French, as the rep (demo):

1. the list offers Action -> Delete for one ticked opportunity, not for two; the form's
   Action -> Delete moves the rep's opportunity to the trash (gone from the list; the sales
   manager finds it in the Trash, checked over XML-RPC);
2. a mail the rep sent to a customer with the team's alias in Bcc, subject "TR: Fwd: Roof
   repair", delivered over XML-RPC (mail.thread.message_process, as the mail gateway script
   does): the rep opens the new opportunity and sees "Roof repair", the customer (created as
   a contact) and themselves as its owner.

    check_delete_mail.py --url http://127.0.0.1:8169 --db DB --out DIR
"""
import sys
import time
import xmlrpc.client
from email.message import EmailMessage
from email.utils import formataddr

from journey import parse_options, run_journeys

LABELS = {
    "en_US": {"delete": "Delete"},
    "fr_FR": {"delete": "Supprimer"},
}


class Admin:
    """The sales manager (admin), over XML-RPC."""

    def __init__(self, options):
        self.db = options.db
        common = xmlrpc.client.ServerProxy("%s/xmlrpc/2/common" % options.url)
        self.uid = common.authenticate(options.db, "admin", "admin", {})
        self.models = xmlrpc.client.ServerProxy("%s/xmlrpc/2/object" % options.url,
                                                allow_none=True)

    def __call__(self, model, method, *args, **kwargs):
        return self.models.execute_kw(self.db, self.uid, "admin", model, method, list(args),
                                      kwargs)


def prepare_alias(admin):
    """The sales team whose alias "opportunity@" creates opportunities and contacts."""
    teams = admin("crm.team", "search", [("alias_name", "=", "opportunity")])
    if not teams:
        teams = admin("ir.model.data", "xmlid_to_res_id", "sales_team.team_sales_department")
        teams = [teams]
        admin("crm.team", "write", teams, {"alias_name": "opportunity"})
    admin("crm.team", "write", teams, {"create_sender_contact": True, "use_opportunities": True,
                                       "use_leads": False})
    domain = admin("ir.config_parameter", "get_param", "mail.catchall.domain")
    if not domain:
        domain = "crm.example.com"
        admin("ir.config_parameter", "set_param", "mail.catchall.domain", domain)
    return domain


def open_action_menu(j):
    j.page.click(".o_cp_sidebar button:has-text('Action'), "
                 ".o_cp_sidebar .o_dropdown_toggler_btn:has-text('Action')")
    j.settle()
    return [text.strip() for text in j.page.locator(
        ".o_cp_sidebar .open .dropdown-menu li:visible a").all_inner_texts()]


def search_list(j, text):
    """The opportunity list, searched for a name."""
    j.open_list()
    j.page.click(".o_searchview_input")
    j.page.keyboard.type(text)
    # "Search Opportunity for: ..." ("Rechercher Opportunité pour : ...").
    j.page.locator(".o_searchview_autocomplete li:has-text('Opportunit')").first.click()
    j.page.wait_for_selector(".o_searchview_facet", timeout=30000)
    j.settle()


def delete_steps(j, admin, suffix):
    labels = LABELS[j.lang]
    # Unique names: a developer's database keeps those of earlier runs.
    tag = "Bin %s-%d" % (suffix, time.time() % 100000)
    names = ["%s one" % tag, "%s two" % tag]
    ids = [j.rpc("crm.lead", "create", [{"name": name, "type": "opportunity",
                                          "user_id": j.uid}]) for name in names]
    search_list(j, tag)
    j.select_rows(names)
    menu = open_action_menu(j)
    j.check(labels["delete"] not in menu, "two ticked rows: no Delete for a rep (%s)" % menu)
    j.shot("rep_list_two_ticked")
    j.page.keyboard.press("Escape")
    j.page.locator(".o_list_view tr.o_data_row:has-text('%s')" % names[1]).first.locator(
        "td.o_list_record_selector input").uncheck(force=True)
    j.settle()
    menu = open_action_menu(j)
    j.check(labels["delete"] in menu, "one ticked row: Delete offered (%s)" % menu)
    j.page.keyboard.press("Escape")

    # The form's Action -> Delete, confirmed.
    j.open_form(ids[0])
    menu = open_action_menu(j)
    j.check(labels["delete"] in menu, "the form's Action menu offers Delete (%s)" % menu)
    j.shot("rep_form_delete")
    j.page.click(".o_cp_sidebar .open .dropdown-menu a:has-text('%s')" % labels["delete"])
    j.page.wait_for_selector(".modal-dialog", timeout=30000)
    j.confirm()
    j.check(j.page.locator(".modal-dialog:has-text('Error'), .o_dialog_warning").count() == 0,
            "no error dialog after deleting")
    search_list(j, tag)
    text = j.page.locator(".o_list_view").inner_text()
    j.check(names[0] not in text and names[1] in text, "the deleted one left the list")
    j.shot("rep_deleted")
    trash = admin("crm.lead", "search_read", [("id", "=", ids[0]), ("trash_date", "!=", False)],
                  fields=["trashed_by_id"], context={"active_test": False})
    j.check(len(trash) == 1 and trash[0]["trashed_by_id"][0] == j.uid,
            "the sales manager finds it in the Trash, moved there by the rep: %s" % trash)


def mail_steps(j, admin, domain, suffix):
    rep = j.rpc("res.users", "read", [[j.uid], ["name", "email"]])[0]
    stamp = "%d-%s" % (time.time() * 1000, suffix)
    customer = "claire.martin.%s@toitures.example.fr" % suffix.lower()
    message = EmailMessage()
    message["Delivered-To"] = "opportunity@%s" % domain
    message["From"] = formataddr((rep["name"], rep["email"]))
    message["To"] = formataddr(("Claire Martin %s" % suffix, customer))
    message["Subject"] = "TR: Fwd: Roof repair"
    message["Message-ID"] = "<journey-%s@example.com>" % stamp
    message.set_content("Hello Claire,\n\nhere is our quote for the roof repair.\n")
    # What the mail gateway script (odoo-mailgate.py) does with a mail it receives.
    lead_id = admin("mail.thread", "message_process", False, message.as_string())
    j.check(bool(lead_id), "the alias created an opportunity")
    if not lead_id:
        return
    j.open_form(lead_id)
    title = j.page.locator(".o_form_view .oe_title").inner_text()
    j.check("Roof repair" in title and "TR:" not in title and "Fwd" not in title,
            "the name has no TR:/Fwd: (%r)" % title)
    partner = j.page.locator(".o_form_view .o_field_widget[name=partner_id]").first.inner_text()
    j.check("Claire Martin %s" % suffix in partner,
            "the customer is the recipient, not the rep (%r)" % partner)
    owner = j.page.locator(".o_form_view .o_field_widget[name=user_id]").first.inner_text()
    j.check(rep["name"] in owner, "the rep owns it (%r)" % owner)
    j.shot("mail_new_opportunity")


def main():
    options = parse_options()
    admin = Admin(options)
    domain = prepare_alias(admin)

    def delete_and_mail(journey):
        suffix = journey.lang[:2].upper()
        delete_steps(journey, admin, suffix)
        mail_steps(journey, admin, domain, suffix)

    return run_journeys(options, "delete and mail", [("demo", "demo", delete_and_mail)])


if __name__ == "__main__":
    sys.exit(main())
