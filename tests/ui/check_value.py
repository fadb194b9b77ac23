"""Browser check: a rep types a value per month for 12 months in another currency than the
company's (issue 17, points 2 and 3), in English and in French.

As the demo rep, on the form of one of their opportunities: Edit, Value basis "Per month",
Duration 12, Value 1,500, Currency EUR (USD when the company's is EUR), Save; the form shows
the total value (18,000 in that currency) and the expected revenue converted to the company
currency at today's rate, as stored; the list shows the basis and the duration, the kanban
card the value per month × 12 = the total.

Run by `make test` against a running server:
    check_value.py --url http://127.0.0.1:8169 --db DB --out docs/
"""
import re
import sys
import time

from journey import parse_options, run_journeys

LABELS = {
    "en_US": {"month": "Per month"},
    "fr_FR": {"month": "Par mois"},
}


def digits(text):
    """The digits of an amount as shown (whatever the separators and the symbol)."""
    return re.sub(r"[^0-9]", "", text)


def shown(j, name):
    return j.page.locator(".o_form_view .o_field_widget[name=%s]" % name).first.inner_text()


def value_journey(j):
    labels = LABELS[j.lang]
    company_currency = j.rpc("res.users", "read", [[j.uid], ["company_id"]])[0]["company_id"]
    company = j.rpc("res.company", "read", [[company_currency[0]], ["currency_id"]])[0]
    company_code = company["currency_id"][1]
    code = "USD" if company_code == "EUR" else "EUR"
    name = "Value journey %s %d" % (j.lang, time.time() * 1000)
    lead_id = j.rpc("crm.lead", "create", [{
        "name": name, "type": "opportunity", "user_id": j.uid,
        "team_id": j.ref("sales_team.team_sales_department")}])

    j.open_form(lead_id)
    j.page.click(".o_form_button_edit")
    j.settle()
    j.page.select_option(".o_form_view select[name=value_basis]", label=labels["month"])
    j.settle()
    j.page.fill(".o_form_view input[name=value_duration]", "12")
    j.page.fill(".o_form_view .o_field_widget[name=value_amount] input", "1500")
    currency = j.page.locator(".o_form_view .o_field_widget[name=currency_id] input")
    currency.fill(code)
    j.page.locator(".ui-autocomplete li a:text-is('%s')" % code).first.click()
    j.settle()
    j.page.click(".o_form_button_save")
    j.page.wait_for_selector(".o_form_view.o_form_readonly", timeout=30000)
    j.settle()

    stored = j.rpc("crm.lead", "read", [[lead_id], [
        "value_amount", "value_basis", "value_duration", "currency_id", "value_total",
        "planned_revenue"]])[0]
    j.check((stored["value_amount"], stored["value_basis"], stored["value_duration"],
             stored["currency_id"][1], stored["value_total"]) ==
            (1500.0, "month", 12, code, 18000.0), "the form saved the value: %r" % stored)
    rates = {record["name"]: record["rate"] for record in j.rpc(
        "res.currency", "search_read", [[["name", "in", [code, company_code]]]],
        {"fields": ["name", "rate"]})}
    expected = 18000.0 * rates[company_code] / rates[code]
    j.check(abs(stored["planned_revenue"] - expected) < 0.01,
            "the expected revenue is the total converted to %s: %.2f, not %.2f" % (
                company_code, stored["planned_revenue"], expected))
    j.check(digits(shown(j, "value_total")) == "1800000",
            "the form shows the total value 18,000.00: %r" % shown(j, "value_total"))
    j.check(digits(shown(j, "planned_revenue")) == digits("%.2f" % stored["planned_revenue"]),
            "the form shows the expected revenue %.2f: %r" % (
                stored["planned_revenue"], shown(j, "planned_revenue")))
    j.check(labels["month"] in j.page.locator(".o_form_view").inner_text(),
            "the form shows the basis %s" % labels["month"])
    j.shot("value_per_month")

    # The list, searched by the opportunity's reference (the first suggestion).
    reference = j.rpc("crm.lead", "read", [[lead_id], ["reference"]])[0]["reference"]
    j.open_list()
    j.page.click(".o_searchview_input")
    j.page.keyboard.type(reference)
    j.page.wait_for_selector(".o_searchview_autocomplete li", timeout=30000)
    j.page.keyboard.press("Enter")
    j.page.wait_for_function("() => document.querySelectorAll('.o_list_view tr.o_data_row')"
                             ".length === 1", timeout=30000)
    j.settle()
    row = j.page.locator(".o_list_view tr.o_data_row:has-text('%s')" % name).first.inner_text()
    j.check(labels["month"] in row and "12" in row and "18" in row,
            "the list shows the value per month for 12 months: %r" % row)
    # The kanban card (same search): the value per month × 12 = the total.
    j.page.click(".o_cp_switch_kanban")
    j.page.wait_for_selector(".o_kanban_view .o_cos_value", timeout=30000)
    j.settle()
    card = j.page.locator(".o_kanban_record:has-text('%s')" % name).first
    value = card.locator(".o_cos_value").inner_text()
    j.check(labels["month"].lower() in value and "12" in value and "18" in digits(value),
            "the kanban card shows the value per month × 12 = the total: %r" % value)
    card.scroll_into_view_if_needed()
    j.shot("value_kanban")


def main():
    return run_journeys(parse_options(), "value", [("demo", "demo", value_journey)])


if __name__ == "__main__":
    sys.exit(main())
