from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CrmListSelectionMixin(models.AbstractModel):
    """A dialog of a list's Action menu: it acts on the ticked rows, or on every record of
    the list's current filter when the user asks for it.

    Odoo 11's list sends both with every action of its Action menu: `active_ids` are the rows
    ticked on the page shown (its header checkbox ticks that page only, 80 rows by default)
    and `active_domain` is the list's whole domain (the action's and the search's). The form
    view's Action menu sends no domain. The domain is searched with the user's rights, and
    the dialog's action keeps its own checks: the filter never widens what the user may do."""

    _name = "crm.list.selection.mixin"
    _description = "Dialog acting on the selected rows or the whole filter of a list"
    _list_model = "crm.lead"

    selected_count = fields.Integer(string="Selected", readonly=True)
    domain_count = fields.Integer(string="Records of the current filter", readonly=True)
    domain_label = fields.Char(string="Current filter", readonly=True)
    use_domain = fields.Boolean(string="Whole filter",
                                help="Act on every record of the list's current filter, "
                                     "not only on the rows ticked on the page shown.")

    @api.model
    def default_get(self, field_names):
        values = super().default_get(field_names)
        values["selected_count"] = len(self._selected_records())
        domain = self._list_domain()
        if domain is not None:
            count = self.env[self._list_model_name()].search_count(domain)
            values["domain_count"] = count
            values["domain_label"] = _("All %(count)d records of the current filter") % {
                "count": count}
            # Called over RPC with a domain and no rows: the domain is what was meant.
            values["use_domain"] = not self.env.context.get("active_ids")
        return values

    @api.model
    def _list_model_name(self):
        return self._list_model

    @api.model
    def _list_domain(self):
        context = self.env.context
        if context.get("active_model") != self._list_model_name():
            return None
        domain = context.get("active_domain")
        if domain is None:
            return None
        if not isinstance(domain, (list, tuple)):
            raise UserError(_("The filter of the list is not a domain."))
        return list(domain)

    @api.model
    def _selected_records(self):
        context = self.env.context
        model = self._list_model_name()
        if context.get("active_model") != model:
            return self.env[model]
        ids = context.get("active_ids") or ([context["active_id"]]
                                            if context.get("active_id") else [])
        return self.env[model].with_context(active_test=False).browse(ids).exists()

    @api.model
    def _list_records(self, use_domain):
        """The records to act on: those of the filter (searched with the user's rights) when
        asked and available, else the ticked rows."""
        domain = self._list_domain()
        if use_domain and domain is not None:
            return self.env[self._list_model_name()].search(domain)
        return self._selected_records()
