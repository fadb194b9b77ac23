"""End-to-end journeys in headless Chromium against a real server, in English and in French,
as a sales manager (admin) and as a sales rep (demo).

Run by `make test` against a running server:
    check_journeys.py --url http://127.0.0.1:8169 --db DB --out docs/
Each journey asserts what the user sees and saves screenshots (docs/journey_*.png).
"""
import io
import sys
import tempfile

import openpyxl

from journey import parse_options, run_journeys


def admin_journey(journey):
    j = journey
    labels = j.labels
    suffix = j.lang[:2].upper()
    team_id = j.ref("sales_team.team_sales_department")
    stage_id = j.rpc("crm.stage", "create", [{"name": "S-Journey proposal", "sequence": 3,
                                               "probability": 40}]) \
        if not j.rpc("crm.stage", "search", [[["name", "=", "S-Journey proposal"]]]) else \
        j.rpc("crm.stage", "search", [[["name", "=", "S-Journey proposal"]]])[0]
    track_id = j.ref("crm_opportunity_suite.track_new_customer")
    partner_id = j.ref("base.res_partner_2")

    # 1. Create an opportunity with a track and a line (through the form).
    lead_id = j.rpc("crm.lead", "create", [{
        "name": "Journey roof %s" % suffix, "type": "opportunity", "partner_id": partner_id,
        "team_id": team_id, "user_id": j.uid, "date_deadline": "2030-06-28",
        "track_id": track_id, "line_ids": [(0, 0, {
            "line_type": "text", "name": "Roof survey", "quantity": 2, "price_unit": 150})]}])
    j.open_form(lead_id)
    j.tab(labels["tracks"])
    text = j.page.locator(".o_form_view").inner_text()
    j.check("New customer onboarding" in text or "Accueil d'un nouveau client" in text,
            "the Tracks tab shows the applied track")
    j.check("0 / 4" in text, "progress 0 / 4 before any task is done")
    activities = j.rpc("mail.activity", "search_read", [[["res_model", "=", "crm.lead"],
                                                         ["res_id", "=", lead_id]]],
                       {"fields": ["summary"]})
    j.check([a["summary"] for a in activities] == ["Discovery call"],
            "only the first task is scheduled (release in order): %s" % activities)
    j.shot("track_applied")

    # 2. Mark the first task done (what the chatter's "Mark Done" calls): the next one
    # appears on the form.
    j.rpc("mail.activity", "action_feedback", [[activities[0]["id"]]], {"feedback": "Done"})
    j.open_form(lead_id)
    j.tab(labels["tracks"])
    j.check("1 / 4" in j.page.locator(".o_form_view").inner_text(), "progress 1 / 4")
    j.check(j.page.locator(".o_mail_activity:has-text('Site visit')").count() > 0 or
            "Site visit" in j.page.locator(".o_form_view").inner_text(),
            "the next task (Site visit) shows")
    j.shot("next_task")

    # 3. Export the list to .xlsx, change the stage and a lost reason, re-import.
    other_id = j.rpc("crm.lead", "create", [{
        "name": "Journey lost %s" % suffix, "type": "opportunity", "partner_id": partner_id,
        "team_id": team_id, "user_id": j.uid}])
    j.open_list()
    j.page.fill(".o_searchview_input", "Journey")
    j.page.keyboard.press("Enter")
    j.settle()
    j.select_rows(["Journey roof %s" % suffix, "Journey lost %s" % suffix])
    j.action_menu(labels["export"])
    with j.page.expect_download(timeout=60000) as download_info:
        j.page.click(".modal-footer button.btn-primary")
    content = open(download_info.value.path(), "rb").read()
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook.active
    headers = [cell.value for cell in sheet[1]]
    columns = {header: index + 1 for index, header in enumerate(headers)}
    id_header = headers[0]
    stage_header, milestone_header, reason_header = headers[7], headers[8], headers[9]
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, columns[id_header]).value == lead_id:
            sheet.cell(row, columns[stage_header]).value = "S-Journey proposal"
        if sheet.cell(row, columns[id_header]).value == other_id:
            sheet.cell(row, columns[milestone_header]).value = "Lost" if j.lang == "en_US" \
                else "Perdue"
            sheet.cell(row, columns[reason_header]).value = "Too expensive" \
                if j.lang == "en_US" else "Trop cher"
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as handle:
        workbook.save(handle.name)
        edited = handle.name
    j.page.goto("%s/web#action=%d" % (j.options.url, j.ref(
        "crm_opportunity_suite.crm_lead_import_action")))
    j.page.wait_for_selector(".modal-dialog input.o_input_file", state="attached",
                             timeout=60000)
    j.page.set_input_files(".modal-dialog input.o_input_file", edited)
    j.settle()
    j.page.click("button[name=action_load]")
    j.settle()
    j.page.locator(".modal-dialog .o_field_boolean[name=overwrite] input").check(force=True)
    j.page.click("button[name=action_dry_run]")
    j.settle()
    preview = j.page.locator(".modal-dialog").last.inner_text()
    j.check("S-Journey proposal" in preview and labels["after_import"] in preview,
            "the dry run lists the changes (now / after the import)")
    j.page.mouse.move(0, 0)
    j.page.locator(".modal-dialog").last.locator(
        "th:has-text(\"%s\")" % labels["after_import"]).last.scroll_into_view_if_needed()
    j.shot("import_dry_run")
    j.page.click("button[name=action_import]")
    j.settle()
    lead = j.rpc("crm.lead", "read", [[lead_id], ["stage_id"]])[0]
    other = j.rpc("crm.lead", "search_read", [[["id", "=", other_id]]],
                  {"fields": ["status", "lost_reason"], "context": {"active_test": False}})[0]
    j.check(lead["stage_id"][0] == stage_id, "the import moved the stage")
    j.check(other["status"] == "lost" and other["lost_reason"], "the import closed one as lost")
    j.open_list()
    j.check("S-Journey proposal" in j.page.locator(".o_list_view").inner_text(),
            "the pipeline list shows the new stage")

    # 4. Bulk close as admin (Action -> Close).
    third_id = j.rpc("crm.lead", "create", [{
        "name": "Journey bulk %s" % suffix, "type": "opportunity", "team_id": team_id}])
    j.open_list()
    j.page.fill(".o_searchview_input", "Journey bulk %s" % suffix)
    j.page.keyboard.press("Enter")
    j.settle()
    j.select_rows(["Journey bulk %s" % suffix])
    j.action_menu(labels["close"])
    j.page.click(".modal-dialog input[type=radio][data-value=won], "
                 ".modal-dialog .o_radio_input[data-value=won]")
    j.page.click(".modal-footer button[name=action_close]")
    j.confirm()
    third = j.rpc("crm.lead", "read", [[third_id], ["status"]])[0]
    j.check(third["status"] == "won", "bulk close won the opportunity")

    # 5. Delete, then restore from the Trash.
    j.open_form(third_id)
    j.page.click(".o_cp_sidebar button:has-text('Action'), "
                 ".o_cp_sidebar .o_dropdown_toggler_btn:has-text('Action')")
    j.page.click(".o_cp_sidebar .dropdown-menu a:has-text('Delete'), "
                 ".o_cp_sidebar .dropdown-menu a:has-text('Supprimer')")
    j.confirm()
    j.check(not j.rpc("crm.lead", "search", [[["id", "=", third_id]]]),
            "deleted: gone from searches")
    j.page.goto("%s/web#action=%d" % (j.options.url, j.ref(
        "crm_opportunity_suite.crm_lead_action_trash")))
    j.page.wait_for_selector(".o_list_view", timeout=60000)
    j.settle()
    j.check("Journey bulk %s" % suffix in j.page.locator(".o_list_view").inner_text(),
            "the Trash lists it")
    j.shot("trash")
    j.page.locator(".o_list_view tr.o_data_row:has-text('Journey bulk %s') "
                   "button[title=\"%s\"]" % (suffix, labels["restore"])).first.click()
    j.settle()
    j.check(bool(j.rpc("crm.lead", "search", [[["id", "=", third_id]]],
                       {"context": {"active_test": False}})),
            "restored from the trash")

    # 6. A quote from the Documents tab, and its PDF.
    j.open_form(lead_id)
    j.tab(labels["documents"])
    j.page.get_by_role("button", name=labels["add"], exact=True).first.click()
    j.page.wait_for_selector(".modal-dialog", timeout=30000)
    j.shot("document_add")
    j.page.click(".modal-footer button[name=action_create]")
    j.page.wait_for_selector(".o_form_view .o_field_widget[name=order_line]", timeout=60000)
    j.settle()
    j.check("Roof survey" in j.page.locator(".o_form_view").inner_text(),
            "the quote holds the opportunity's line")
    j.shot("quote")
    order = j.rpc("sale.order", "search_read", [[["opportunity_id", "=", lead_id]]],
                  {"fields": ["id", "name"]})[0]
    response = j.context.request.get("%s/report/pdf/sale.report_saleorder/%d" % (
        j.options.url, order["id"]), timeout=120000)
    j.check(response.status == 200 and response.body().startswith(b"%PDF"),
            "the quote's PDF downloads")

    # 7. Sales insights.
    j.page.goto("%s/web#action=%d" % (j.options.url, j.ref(
        "crm_opportunity_suite.crm_sales_insight_wizard_action")))
    j.page.wait_for_selector(".modal-dialog button[name=action_print], "
                             ".o_form_view button[name=action_print]", timeout=60000)
    j.shot("insights")
    wizard_id = j.rpc("crm.sales.insight.wizard", "create", [{"months": 3}])
    response = j.context.request.get("%s/report/pdf/crm_opportunity_suite."
                                     "report_sales_insights/%d" % (j.options.url, wizard_id),
                                     timeout=120000)
    j.check(response.status == 200 and response.body().startswith(b"%PDF"),
            "the sales insights PDF downloads")


def rep_journey(journey):
    j = journey
    labels = j.labels
    j.open_list()
    j.page.click(".o_list_view tr.o_data_row td.o_list_record_selector input", force=True)
    j.settle()
    j.page.click(".o_cp_sidebar button:has-text('Action'), "
                 ".o_cp_sidebar .o_dropdown_toggler_btn:has-text('Action')")
    menu = j.page.locator(".o_cp_sidebar .open .dropdown-menu").inner_text()
    j.check(labels["close"] not in menu.split("\n"), "a rep has no bulk Close action")
    j.check(labels["export"] not in menu, "a rep without the export permission has no export")
    j.shot("rep_actions")
    j.page.keyboard.press("Escape")
    leads = j.rpc("crm.lead", "search", [[["user_id", "=", j.uid]]], {"limit": 2})
    for method, args in (("action_close", [leads, False, j.ref("crm.lost_reason_1")]),
                         ("unlink", [leads])):
        try:
            j.rpc("crm.lead", method, args)
            j.check(False, "a rep was allowed %s on several opportunities" % method)
        except Exception as error:
            j.check("AccessError" in str(error) or "access" in str(error).lower(),
                    "%s refused with an access error (%s)" % (method, str(error)[:120]))
    trash_menu = j.ref("crm_opportunity_suite.crm_lead_trash_menu")
    visible = j.rpc("ir.ui.menu", "search", [[["id", "=", trash_menu]]])
    j.check(not visible, "a rep has no Trash menu")


def main():
    return run_journeys(parse_options(), "journeys", [("admin", "admin", admin_journey),
                                                      ("demo", "demo", rep_journey)])


if __name__ == "__main__":
    sys.exit(main())
