from odoo import api, fields, models


class ResUsers(models.Model):
    """The activity counter of the top bar leaves out opportunities in the trash."""

    _inherit = "res.users"

    @api.model
    def activity_user_count(self):
        # Trashed opportunities keep their activities (they come back with a restore), but
        # nobody should be reminded of them meanwhile.
        result = super().activity_user_count()
        # Fixed SQL; the date and the user's own id are parameters.
        self.env.cr.execute("""
            SELECT CASE WHEN act.date_deadline < %(today)s THEN 'overdue'
                        WHEN act.date_deadline = %(today)s THEN 'today'
                        ELSE 'planned' END, count(*)
            FROM mail_activity act JOIN crm_lead lead ON lead.id = act.res_id
            WHERE act.res_model = 'crm.lead' AND act.user_id = %(user_id)s
              AND lead.trash_date IS NOT NULL
            GROUP BY 1""", {"today": fields.Date.context_today(self), "user_id": self.env.uid})
        trashed = dict(self.env.cr.fetchall())
        if not trashed:
            return result
        kept = []
        for entry in result:
            if entry["model"] == "crm.lead":
                for state, count in trashed.items():
                    entry["%s_count" % state] -= count
                    if state in ("today", "overdue"):
                        entry["total_count"] -= count
                if not any(entry["%s_count" % state] for state in ("overdue", "today",
                                                                    "planned")):
                    continue
            kept.append(entry)
        return kept
