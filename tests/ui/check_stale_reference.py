"""Browser check (issue 17, points 6, 9, 10), in English and in French:

- as the sales manager (admin): picks a probability tag's colour with the palette picker of
  its form, and sets a stage's "Days until stale" from the pipeline (column menu -> Edit Stage);
- as a sales rep (demo): types a reference on a new opportunity, then sees the message when
  typing it again (another case) on another one; logs a note in the first one's chatter (its
  last activity moves); uses the Stale filter of the pipeline and sees the marker on the stale
  card (and on its form), not on the on-hold one.

Run by `make test` against a running server:
    check_stale_reference.py --url http://127.0.0.1:8169 --db DB --out docs/
"""
import sys
import time

from journey import parse_options, run_journeys

LABELS = {
    "en_US": {"stale": "Stale", "taken": "is already used by another opportunity"},
    "fr_FR": {"stale": "Dormante", "taken": "est déjà utilisée par une autre opportunité"},
}
# Odoo's palette colour 9 (@odoo-color-9, #D6145F), as the browser computes it.
COLOR_9 = "rgb(214, 20, 95)"


def open_record(j, model, action_xmlid, record_id=None, view_type="form"):
    j.page.goto("%s/web?_=%d#%smodel=%s&view_type=%s&action=%d" % (
        j.options.url, time.time() * 1000, "id=%d&" % record_id if record_id else "", model,
        view_type, j.ref(action_xmlid)))
    j.page.wait_for_selector(".o_%s_view" % view_type, timeout=60000)
    j.settle()


def manager_journey(j):
    suffix = "%s %d" % (j.lang[:2].upper(), time.time())
    # 1. A probability tag's colour, picked from the palette.
    tag_id = j.rpc("crm.probability.tag", "create", [{
        "name": "Journey colour %s" % suffix, "percentage": 40, "color": 0}])
    open_record(j, "crm.probability.tag", "crm_opportunity_suite.crm_probability_tag_action",
                tag_id)
    j.page.click(".o_form_button_edit")
    picker = j.page.locator(".o_form_view .o_field_widget[name=color]")
    j.check(picker.locator("a[class*=o_tag_color_]").count() == 12,
            "the picker shows Odoo's 12 colours")
    picker.locator("a[data-color='9']").click()
    j.check(picker.locator("li.o_cos_selected a[data-color='9']").count() == 1,
            "the picked colour is marked")
    j.page.mouse.move(0, 0)
    j.shot("color_picker")
    j.page.click(".o_form_button_save")
    j.settle()
    color = j.rpc("crm.probability.tag", "read", [[tag_id], ["color"]])[0]["color"]
    j.check(color == 9, "the tag's colour is saved: %s" % color)
    swatch = j.page.locator(".o_form_view .o_field_widget[name=color] .o_cos_swatch")
    background = swatch.evaluate("node => getComputedStyle(node).backgroundColor")
    j.check(background == COLOR_9, "the saved colour shows in Odoo's colour 9: %s" % background)

    # 2. A stage's days until stale, from the pipeline's column menu.
    stage_id = j.ref("crm_opportunity_suite.stage_negotiation")
    stage_name = j.rpc("crm.stage", "read", [[stage_id], ["name"]],
                       {"context": {"lang": j.lang}})[0]["name"]
    days = 10 if j.lang == "en_US" else 12
    open_record(j, "crm.lead", "crm.crm_lead_opportunities", view_type="kanban")
    column = j.page.locator(".o_kanban_group:has(.o_column_title:text-is(\"%s\"))"
                            % stage_name).first
    column.locator(".o_kanban_header").hover()
    column.locator(".o_kanban_config .dropdown-toggle").click()
    column.locator(".o_column_edit").click()
    dialog = j.page.locator(".modal-dialog").last
    dialog.wait_for(timeout=30000)
    j.settle()
    dialog.locator("input[name=stale_days]").fill(str(days))
    j.shot("stale_delay")
    dialog.locator(".modal-footer .btn-primary").first.click()
    j.settle()
    saved = j.rpc("crm.stage", "read", [[stage_id], ["stale_days"]])[0]["stale_days"]
    j.check(saved == days, "the stage's days until stale are saved: %s" % saved)


def new_opportunity(j, name, reference):
    open_record(j, "crm.lead", "crm.crm_lead_opportunities")
    j.page.fill(".o_form_view input.o_field_widget[name=name]", name)
    j.page.fill(".o_form_view input.o_field_widget[name=reference]", reference)
    j.page.click(".o_form_button_save")
    j.settle()


def rep_journey(j):
    labels = LABELS[j.lang]
    reference = "Job-%s-%d" % (j.lang[:2].upper(), time.time())
    # 1. A reference typed on a new opportunity.
    new_opportunity(j, "Journey typed reference %s" % reference, reference)
    found = j.rpc("crm.lead", "search_read", [[["reference", "=", reference]]],
                  {"fields": ["name"]})
    j.check(len(found) == 1, "the opportunity is saved with the typed reference: %s" % found)
    j.check(reference in j.page.locator(".o_form_view .o_opportunity_reference").inner_text(),
            "the form shows the typed reference")
    j.shot("reference_typed")

    # 2. The same reference (another case) on another opportunity: a clear message.
    new_opportunity(j, "Journey second %s" % reference, reference.lower())
    dialog = j.page.locator(".modal-dialog").last
    dialog.wait_for(timeout=30000)
    text = dialog.inner_text()
    j.check(labels["taken"] in text and reference.lower() in text,
            "the duplicate reference is refused with a clear message: %r" % text[:300])
    j.shot("reference_taken")
    dialog.locator(".modal-footer button").first.click()
    j.check(not j.rpc("crm.lead", "search", [[["name", "=", "Journey second %s" % reference]]]),
            "nothing saved")

    # 3. A note logged in the chatter of the first one is activity: its last activity moves.
    lead = found[0]
    before = j.rpc("crm.lead", "read", [[lead["id"]], ["date_last_activity"]])[0]
    open_record(j, "crm.lead", "crm.crm_lead_opportunities", lead["id"])
    j.page.click(".o_chatter_button_log_note")
    j.page.fill(".o_chatter .o_composer_text_field", "Called the site manager")
    j.page.click(".o_chatter .o_composer_button_send")
    j.page.wait_for_selector(".o_thread_message:has-text('Called the site manager')",
                             timeout=30000)
    after = j.rpc("crm.lead", "read", [[lead["id"]], ["date_last_activity"]])[0]
    j.check(after["date_last_activity"] > before["date_last_activity"],
            "the note moved the last activity: %s -> %s" % (
                before["date_last_activity"], after["date_last_activity"]))

    # 4. The Stale filter of the pipeline and the marker on the card.
    open_record(j, "crm.lead", "crm.crm_lead_opportunities", view_type="kanban")
    if not j.page.locator(".o_search_options").is_visible():
        j.page.click(".o_searchview_more")
    j.page.click(".o_search_options .o_dropdown:has(.o_filters_menu) .o_dropdown_toggler_btn")
    j.page.click(".o_filters_menu li a:text-is(\"%s\")" % labels["stale"])
    j.page.wait_for_selector(".o_searchview_facet:has-text(\"%s\")" % labels["stale"],
                             timeout=30000)
    j.settle()
    j.page.click(".o_control_panel .breadcrumb")  # closes the Filters menu
    stale = j.page.locator(".o_kanban_record:has-text('Warehouse shelving renewal')")
    j.check(stale.count() == 1, "the stale demo opportunity is in the filter")
    j.check(stale.locator(".o_cos_stale").count() == 1 and
            stale.locator(".o_cos_stale").inner_text().strip() == labels["stale"],
            "its card has the stale marker")
    j.check(j.page.locator(".o_kanban_record:has-text('Yearly maintenance contract')")
            .count() == 0, "the on-hold opportunity (as old) is not stale")
    cards = j.page.locator(".o_kanban_record:not(.o_kanban_ghost)")
    j.check(cards.count() == cards.locator(".o_cos_stale").count(),
            "every card of the filter has the marker")
    j.shot("stale_kanban")
    stale.first.click()
    j.page.wait_for_selector(".o_form_view", timeout=60000)
    j.settle()
    j.check(j.page.locator(".o_form_view .o_cos_stale:visible").count() == 1,
            "the form shows it stale too")


def main():
    return run_journeys(parse_options(), "stale and reference", [
        ("admin", "admin", manager_journey), ("demo", "demo", rep_journey)])


if __name__ == "__main__":
    sys.exit(main())
