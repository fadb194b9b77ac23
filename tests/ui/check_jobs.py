"""Browser check: a bulk close above the threshold runs in the background (issue 18 point 4).

As a sales manager (admin), in English and in French: the threshold set to 3 opportunities,
5 opportunities made by RPC are filtered by their common name and ticked; Action -> Close as
won or lost says the close will run in the background; confirmed, the dialog shows the
operation "running in the background" with its progress 0 / 5. The job is then run the way
queue_job's runner has it run (marked enqueued, GET /queue_job/runjob: the test server runs
no job runner); Refresh shows it done, 5 / 5, the 5 opportunities won and the manager
notified.

Run by `make test` against a running server:
    check_jobs.py --url http://127.0.0.1:8169 --db DB --out docs/
"""
import sys
import time

from journey import parse_options, run_journeys

COUNT = 5
THRESHOLD = "crm_opportunity_suite.background_opportunities"
TEXTS = {
    "en_US": {"note": "runs in the background", "running": "Running in the background",
              "done": "Done", "result": "5 opportunities closed as won."},
    "fr_FR": {"note": "s'exécute en arrière-plan", "running": "En cours en arrière-plan",
              "done": "Terminé", "result": "5 opportunités clôturées comme gagnées."},
}


def operation_dialog(j):
    dialog = j.page.locator(".modal-dialog").last
    dialog.locator(".o_progressbar").wait_for(timeout=30000)
    j.settle()
    return dialog


def close_in_background(j):
    texts = TEXTS[j.lang]
    prefix = "Jobs check %s %d" % (j.lang[:2], time.time() * 1000)
    team_id = j.ref("sales_team.team_sales_department")
    ids = [j.rpc("crm.lead", "create", [{
        "name": "%s %d" % (prefix, index), "type": "opportunity", "team_id": team_id,
        "user_id": j.uid}]) for index in range(COUNT)]
    try:
        j.open_list()
        j.page.click(".o_searchview_input")
        j.page.keyboard.type(prefix)
        j.page.click(".o_searchview_autocomplete li:nth-child(2)")
        j.page.wait_for_function("() => document.querySelectorAll("
                                 "'.o_list_view tr.o_data_row').length === %d" % COUNT,
                                 timeout=30000)
        j.page.locator(".o_list_view thead .o_list_record_selector input").check(force=True)
        j.settle()
        j.action_menu(j.labels["close"])
        dialog = j.page.locator(".modal-dialog").last
        note = dialog.locator(".o_background_note")
        j.check(note.is_visible() and texts["note"] in note.inner_text(),
                "the dialog says the close runs in the background: %r" % note.inner_text())
        j.page.click(".modal-dialog input[type=radio][data-value=won], "
                     ".modal-dialog .o_radio_input[data-value=won]")
        j.shot("jobs_close_dialog")
        j.page.click(".modal-footer button[name=action_close]")
        j.confirm()

        dialog = operation_dialog(j)
        text = dialog.inner_text()
        j.check(dialog.locator(".o_background_running").is_visible(),
                "the operation says it runs in the background")
        j.check(texts["running"] in text, "state %r shown: %r" % (texts["running"], text))
        j.check("0 / %d" % COUNT in dialog.locator(".o_progressbar").inner_text(),
                "progress 0 / %d shown" % COUNT)
        won = j.rpc("crm.lead", "search_count", [[["id", "in", ids], ["status", "=", "won"]]])
        j.check(won == 0, "nothing closed by the request itself (%d won)" % won)
        j.shot("jobs_running")

        operation = j.rpc("crm.background.operation", "search_read", [[
            ["user_id", "=", j.uid]]], {"fields": ["job_uuid"], "limit": 1})[0]
        job = j.rpc("queue.job", "search", [[["uuid", "=", operation["job_uuid"]]]])
        j.rpc("queue.job", "write", [job, {"state": "enqueued"}])
        response = j.page.request.get("%s/queue_job/runjob?db=%s&job_uuid=%s" % (
            j.options.url, j.options.db, operation["job_uuid"]), timeout=120000)
        j.check(response.ok, "the job ran (HTTP %s)" % response.status)

        dialog.locator(".modal-footer button[name=action_open]").click()
        j.settle()
        dialog = operation_dialog(j)
        text = dialog.inner_text()
        j.check(texts["done"] in text and texts["result"] in text,
                "done, with its result: %r" % text)
        j.check("%d / %d" % (COUNT, COUNT) in dialog.locator(".o_progressbar").inner_text(),
                "progress %d / %d shown" % (COUNT, COUNT))
        j.check(not dialog.locator(".o_background_running").is_visible(),
                "no longer running")
        won = j.rpc("crm.lead", "search_count", [[["id", "in", ids], ["status", "=", "won"]]])
        j.check(won == COUNT, "the job closed the %d opportunities (%d won)" % (COUNT, won))
        partner = j.rpc("res.users", "read", [[j.uid], ["partner_id"]])[0]["partner_id"][0]
        notices = j.rpc("mail.message", "search_count", [[
            ["model", "=", "crm.background.operation"], ["res_id", "=", operation["id"]],
            ["needaction_partner_ids", "in", [partner]]]])
        j.check(notices == 1, "the manager is notified once (%d)" % notices)
        j.shot("jobs_done")
    finally:
        # Out of every list (the trash) for the checks that follow.
        j.rpc("crm.lead", "unlink", [ids])


def main():
    def jobs(journey):
        # The background threshold lowered for the check, set back after it.
        previous = journey.rpc("ir.config_parameter", "get_param", [THRESHOLD, "500"])
        journey.rpc("ir.config_parameter", "set_param", [THRESHOLD, "3"])
        try:
            close_in_background(journey)
        finally:
            journey.rpc("ir.config_parameter", "set_param", [THRESHOLD, previous])

    return run_journeys(parse_options(), "jobs", [("admin", "admin", jobs)])


if __name__ == "__main__":
    sys.exit(main())
