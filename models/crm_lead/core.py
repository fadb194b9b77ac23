from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression

from ...lib import parsing

# A typed reference: at most this many characters.
REFERENCE_MAX_LENGTH = 64
# Sequence numbers tried before giving up when typed references already hold the next ones.
SEQUENCE_TRIES = 100


def clean_reference(value):
    """A reference as it is stored: spaces around it removed, runs of spaces inside made one
    space; None when nothing is left (the sequence then gives one)."""
    text = " ".join(str(value).split()) if value not in (None, False) else ""
    return text or None


def reference_problem(reference):
    """Why a typed (cleaned) reference is refused, translated; None when it is fine."""
    if len(reference) > REFERENCE_MAX_LENGTH:
        return _("A reference has at most %(max)d characters.") % {"max": REFERENCE_MAX_LENGTH}
    try:
        parsing.parse_int(reference)
    except parsing.CellError:
        return None
    return _("The reference %(reference)s is a bare number, which the spreadsheet import would "
             "read as an opportunity ID: add a letter or a sign (e.g. J-%(reference)s).") % {
                 "reference": reference}


class CrmLeadCore(models.Model):
    """The opportunity itself: its reference, currency, payment terms and contact person."""

    _inherit = "crm.lead"

    def _default_currency_id(self):
        return self.env.user.company_id.currency_id

    reference = fields.Char(
        copy=False, index=True, track_visibility="onchange",
        help="Type your own reference (unique in the company, whatever the case), at creation "
             "or later; left empty, the sequence gives one (OPP00012).")
    currency_id = fields.Many2one(
        "res.currency", string="Currency", required=True, default=_default_currency_id,
        track_visibility="onchange")
    payment_term_id = fields.Many2one("account.payment.term", string="Payment terms")
    contact_id = fields.Many2one(
        "res.partner", string="Contact person", index=True, track_visibility="onchange",
        help="The person to talk to at the customer (distinct from the customer itself).")

    # Written as PostgreSQL shows it (pg_get_constraintdef), so that Odoo does not rebuild it at
    # every update. The database refuses the second of two concurrent saves of one reference;
    # _check_reference_free() says it first, naming the reference.
    _sql_constraints = [
        ("reference_uniq", "EXCLUDE USING btree (lower((reference)::text) WITH =, "
                           "COALESCE(company_id, 0) WITH =)",
         "This reference is already used by another opportunity of the company."),
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
        company_id = vals["company_id"] if "company_id" in vals else \
            self.default_get(["company_id"]).get("company_id")
        reference = clean_reference(vals.get("reference"))
        if reference:
            self._check_reference_free(reference, company_id)
        else:
            reference = self._next_free_reference(company_id)
        return super().create(dict(vals, reference=reference))

    @api.multi
    def write(self, vals):
        if "reference" in vals:
            reference = clean_reference(vals["reference"])
            if not reference:
                # Emptied: each opportunity gets the next number of the sequence.
                for lead in self:
                    company_id = vals.get("company_id", lead.company_id.id)
                    super(CrmLeadCore, lead).write(dict(
                        vals, reference=lead._next_free_reference(company_id)))
                return True
            if len(self) > 1:
                raise UserError(_("Several opportunities cannot share the reference "
                                  "%(reference)s.") % {"reference": reference})
            vals = dict(vals, reference=reference)
        if "reference" in vals or "company_id" in vals:
            for lead in self:
                self._check_reference_free(
                    vals.get("reference", lead.reference),
                    vals["company_id"] if "company_id" in vals else lead.company_id.id, lead.id)
        return super().write(vals)

    def _reference_taken(self, reference, company_id, lead_id=None):
        """Whether another opportunity of the company (any user's, trashed or archived ones
        included) has this reference, whatever the case."""
        # Fixed SQL, values as parameters; the whole table, as the database constraint sees it.
        self.env.cr.execute(
            "SELECT 1 FROM crm_lead WHERE lower(reference) = lower(%s) "
            "AND COALESCE(company_id, 0) = %s AND id != %s LIMIT 1",
            (reference, company_id or 0, lead_id or 0))
        return bool(self.env.cr.rowcount)

    def _check_reference_free(self, reference, company_id, lead_id=None):
        if not reference:
            return
        problem = reference_problem(reference)
        if problem:
            raise ValidationError(problem)
        if self._reference_taken(reference, company_id, lead_id):
            raise ValidationError(_(
                "The reference %(reference)s is already used by another opportunity: type "
                "another one, or leave it empty to get the next number.") % {
                    "reference": reference})

    def _next_free_reference(self, company_id):
        """The sequence's next number, skipping those typed by hand meanwhile."""
        Sequence = self.env["ir.sequence"]
        for _try in range(SEQUENCE_TRIES):
            reference = Sequence.next_by_code("crm.lead.reference")
            if not reference or not self._reference_taken(reference, company_id):
                return reference
        raise UserError(_("The next %(tries)d numbers of the sequence are all taken: leave "
                          "fewer gaps, or type a reference.") % {"tries": SEQUENCE_TRIES})

    @api.model
    def _name_search(self, name, args=None, operator="ilike", limit=100, name_get_uid=None):
        if name and operator in ("ilike", "like", "=", "=like", "=ilike"):
            args = expression.AND([args or [], [
                "|", ("reference", operator, name), ("name", operator, name)]])
            name, operator = "", "ilike"
        return super()._name_search(
            name, args=args, operator=operator, limit=limit, name_get_uid=name_get_uid)
