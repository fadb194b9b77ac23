from odoo import SUPERUSER_ID, api


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
