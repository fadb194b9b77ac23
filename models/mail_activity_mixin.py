from odoo import api, models


class MailActivityMixin(models.AbstractModel):
    """The next activity's deadline stored in bulk."""

    _inherit = "mail.activity.mixin"

    @api.model
    def _update_next_activity_deadline(self, res_ids):
        """Store the next activity's deadline (the stored related field of activity_ids'
        first date) of these records in one grouped query, instead of reading every
        activity of every record through the ORM."""
        field = self._fields.get("activity_date_deadline")
        if not (field and field.store and res_ids):
            return
        # The table is the model's own (not client data); values are parameters.
        self.env.cr.execute(
            'UPDATE "%s" AS record SET activity_date_deadline = next.deadline FROM ('
            "SELECT res_id, min(date_deadline) AS deadline FROM mail_activity "
            "WHERE res_model = %%s AND res_id IN %%s GROUP BY res_id) AS next "
            "WHERE record.id = next.res_id" % self._table, (self._name, tuple(res_ids)))
        records = self.browse(res_ids)
        records.invalidate_cache(["activity_date_deadline"], records.ids)
        records._recompute_done(field)

