from odoo import _, api, models
from odoo.exceptions import AccessError

# Written by the addon's own code only, never through create()/write(): a client writing them
# would empty or fill the trash, pick its own drop address, or hide a stale opportunity.
INTERNAL_FIELDS = ("trash_date", "trashed_by_id", "active_before_trash", "is_in_trash",
                   "stage_before_close_id", "drop_token", "date_last_activity")


class CrmLeadInternalFields(models.Model):
    """The fields of the other features that only the addon's own code writes (the trash's,
    the drop token, the stage before closing): refused first, before any other override of
    create and write (imported last, so it is the outermost)."""

    _inherit = "crm.lead"

    def _check_internal_fields(self, vals):
        """Refuse the fields only the addon's own code writes (trash, drop token, stage
        before closing), whoever the caller is: the screens never send them, and the addon
        writes them in SQL (trash, restore, stage before closing) or sets them in create()
        after this check (drop token)."""
        given = [name for name in INTERNAL_FIELDS if name in vals]
        if given:
            raise AccessError(_("These fields are written by the application only: "
                                "%(fields)s.") % {"fields": ", ".join(given)})

    @api.model
    def create(self, vals):
        self._check_internal_fields(vals)
        return super().create(vals)

    @api.multi
    def write(self, vals):
        self._check_internal_fields(vals)
        return super().write(vals)
