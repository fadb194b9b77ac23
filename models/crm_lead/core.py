from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression


class CrmLeadCore(models.Model):
    """The opportunity itself: its reference, currency, payment terms and contact person."""

    _inherit = "crm.lead"

    def _default_currency_id(self):
        return self.env.user.company_id.currency_id

    # Indexed by its unique constraint (a second index only made every write slower).
    reference = fields.Char(
        readonly=True, copy=False,
        help="Unique reference given by the sequence when the opportunity is created.")
    currency_id = fields.Many2one(
        "res.currency", string="Currency", required=True, default=_default_currency_id,
        track_visibility="onchange")
    payment_term_id = fields.Many2one("account.payment.term", string="Payment terms")
    contact_id = fields.Many2one(
        "res.partner", string="Contact person", index=True, track_visibility="onchange",
        help="The person to talk to at the customer (distinct from the customer itself).")

    _sql_constraints = [
        ("reference_uniq", "unique (reference)", "The reference of an opportunity must be unique."),
    ]

    @api.constrains("partner_id", "contact_id")
    def _check_contact_id(self):
        for lead in self:
            if lead.contact_id and lead.partner_id and \
                    lead.contact_id.commercial_partner_id != lead.partner_id.commercial_partner_id:
                raise ValidationError(_(
                    "The contact person %(contact)s does not belong to the customer "
                    "%(customer)s.") % {"contact": lead.contact_id.display_name,
                                        "customer": lead.partner_id.display_name})

    @api.onchange("partner_id")
    def _onchange_partner_id_contact(self):
        if self.contact_id and (
                not self.partner_id or self.contact_id.commercial_partner_id !=
                self.partner_id.commercial_partner_id):
            self.contact_id = False
        if self.partner_id and not self.partner_id.is_company and not self.contact_id:
            self.contact_id = self.partner_id

    @api.model
    def create(self, vals):
        if not vals.get("reference"):
            vals = dict(vals, reference=self.env["ir.sequence"].next_by_code(
                "crm.lead.reference"))
        return super().create(vals)

    @api.model
    def _name_search(self, name, args=None, operator="ilike", limit=100, name_get_uid=None):
        if name and operator in ("ilike", "like", "=", "=like", "=ilike"):
            args = expression.AND([args or [], [
                "|", ("reference", operator, name), ("name", operator, name)]])
            name, operator = "", "ilike"
        return super()._name_search(
            name, args=args, operator=operator, limit=limit, name_get_uid=name_get_uid)
