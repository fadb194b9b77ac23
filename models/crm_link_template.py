import re
from urllib.parse import quote

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
LITERAL_HOST = re.compile(r"^https?://[\w.\-]+", re.IGNORECASE)
# Placeholder: how to get its value from an opportunity.
STANDARD_PLACEHOLDERS = {
    "name": lambda lead: lead.name,
    "reference": lambda lead: lead.reference,
    "email": lambda lead: lead.contact_id.email or lead.partner_id.email or lead.email_from,
    "phone": lambda lead: lead.contact_id.phone or lead.phone or lead.partner_id.phone,
    "customer": lambda lead: lead.partner_id.display_name or lead.partner_name,
    "expected_revenue": lambda lead: "%.2f" % lead.planned_revenue,
    "currency": lambda lead: lead.company_currency.name,
    "owner": lambda lead: lead.user_id.name,
}


class CrmLinkTemplate(models.Model):
    """A link shown on every opportunity: a URL template whose placeholders ({name},
    {reference}, {email}, {phone}, {customer}, {expected_revenue}, {currency}, {owner} and
    custom field labels) are replaced by the opportunity's URL-encoded values."""

    _name = "crm.link.template"
    _description = "Generated link"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    url = fields.Char(string="URL template", required=True,
                      help="e.g. https://quotes.example/new?title={name}&email={email}")

    @api.model
    def _custom_placeholders(self):
        # As superuser: only the custom fields' labels and names, for every reader of links.
        return {definition.name: definition.field_name for definition in self.env[
            "crm.lead.custom.field"].sudo().search([("field_name", "!=", False)])}

    @api.constrains("url")
    def _check_url(self):
        known = set(STANDARD_PLACEHOLDERS) | set(self._custom_placeholders())
        for template in self:
            url = (template.url or "").strip()
            # The scheme and host are literal: no value can turn the link into javascript:.
            if not LITERAL_HOST.match(PLACEHOLDER.split(url)[0]):
                raise ValidationError(_(
                    "The link \"%s\" must start with http:// or https:// and a host name.")
                    % template.name)
            unknown = [name for name in PLACEHOLDER.findall(url) if name not in known]
            if unknown:
                raise ValidationError(_(
                    "Unknown placeholders in the link \"%(link)s\": %(unknown)s. Known: "
                    "%(known)s.") % {
                        "link": template.name,
                        "unknown": ", ".join("{%s}" % n for n in unknown),
                        "known": ", ".join("{%s}" % n for n in sorted(known))})

    def _render(self, lead):
        """The URL for this opportunity, each value URL-encoded."""
        self.ensure_one()
        custom = self._custom_placeholders()

        def value(match):
            name = match.group(1)
            if name in STANDARD_PLACEHOLDERS:
                raw = STANDARD_PLACEHOLDERS[name](lead)
            elif name in custom:
                raw = lead[custom[name]]
            else:
                raw = ""
            return quote("" if raw in (None, False) else str(raw), safe="")

        return PLACEHOLDER.sub(value, self.url.strip())
