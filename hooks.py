from odoo import SUPERUSER_ID, api, fields
from odoo.tools import sql


# The opportunities without a typed value: their expected revenue becomes it (none with item
# lines, whose total is their revenue). Returns each one's value, currency and company currency.
FILL_VALUES = """
    UPDATE crm_lead l SET value_basis = coalesce(l.value_basis, 'fixed'),
           value_duration = coalesce(l.value_duration, 1),
           value_amount = CASE WHEN EXISTS (SELECT 1 FROM crm_lead_line x WHERE x.lead_id = l.id)
                               THEN 0 ELSE coalesce(l.planned_revenue, 0) END
    WHERE l.value_amount IS NULL
    RETURNING l.id, l.value_amount, l.currency_id,
              (SELECT c.currency_id FROM res_company c WHERE c.id = l.company_id)"""
FILL_VALUES_NO_LINES = """
    UPDATE crm_lead l SET value_basis = coalesce(l.value_basis, 'fixed'),
           value_duration = coalesce(l.value_duration, 1),
           value_amount = coalesce(l.planned_revenue, 0)
    WHERE l.value_amount IS NULL
    RETURNING l.id, l.value_amount, l.currency_id,
              (SELECT c.currency_id FROM res_company c WHERE c.id = l.company_id)"""


def pre_init_hook(cr):
    """Before the install creates the addon's fields: the opportunities that exist already
    get their company's currency and their expected revenue as their typed value (see
    add_value_columns), so that nothing the install computes changes their revenue."""
    add_value_columns(cr, with_currency=True)


def post_init_hook(cr, registry):
    """Give every opportunity that existed before the install its reference."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    leads = env["crm.lead"].with_context(active_test=False).search(
        [("reference", "=", False)], order="id")
    sequence = env.ref("crm_opportunity_suite.seq_crm_lead_reference")
    for lead in leads:
        # Fixed SQL; values are parameters.
        cr.execute("UPDATE crm_lead SET reference = %s WHERE id = %s",
                   (sequence.next_by_id(), lead.id))
    leads.invalidate_cache(["reference"])


def add_value_columns(cr, with_currency=False):
    """The columns of the typed value (value_amount, value_basis, value_duration), filled
    before the ORM sees them, for the opportunities that existed before them (install, or the
    update to 11.0.1.1.0). The expected revenue is computed from them (value.py): created
    empty, it would become 0 as soon as anything (a new stored field of the install) computes
    it again. So each keeps its expected revenue: it becomes a fixed value in the
    opportunity's currency, converted from the company currency (the expected revenue's) at
    today's rate, unrounded so that the revenue computed from it is the same. With item lines,
    their total stays the expected revenue (no typed value). ``with_currency`` (install): the
    opportunity's currency is created too, its company's. Returns the number of
    opportunities whose value was converted."""
    # Fixed SQL (no parameter) throughout.
    cr.execute("""
        ALTER TABLE crm_lead ADD COLUMN IF NOT EXISTS value_amount numeric,
                             ADD COLUMN IF NOT EXISTS value_basis varchar,
                             ADD COLUMN IF NOT EXISTS value_duration integer""")
    if with_currency:
        cr.execute("""
            ALTER TABLE crm_lead ADD COLUMN IF NOT EXISTS currency_id integer;
            UPDATE crm_lead l SET currency_id = coalesce(
                (SELECT c.currency_id FROM res_company c WHERE c.id = l.company_id),
                (SELECT c.currency_id FROM res_company c JOIN res_users u
                 ON u.company_id = c.id WHERE u.id = 1))
            WHERE l.currency_id IS NULL""")
    # At install the item lines' table does not exist yet (no opportunity has lines).
    cr.execute(FILL_VALUES if sql.table_exists(cr, "crm_lead_line") else FILL_VALUES_NO_LINES)
    foreign = [row for row in cr.fetchall()
               if row[1] and row[2] and row[3] and row[2] != row[3]]
    env = api.Environment(cr, SUPERUSER_ID, {})
    Currency = env["res.currency"].with_context(date=fields.Date.today())
    for lead_id, revenue, currency_id, company_currency_id in foreign:
        amount = Currency.browse(company_currency_id).compute(
            float(revenue), Currency.browse(currency_id), round=False)
        # Fixed SQL; values are parameters.
        cr.execute("UPDATE crm_lead SET value_amount = %s WHERE id = %s", (amount, lead_id))
    return len(foreign)
