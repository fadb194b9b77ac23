import base64

from odoo import _, api, fields, models

from ..lib import spreadsheet

KINDS = [
    ("sale.order", "Quotes and orders"),
    ("account.invoice", "Customer invoices"),
    ("purchase.order", "Purchase orders"),
]


class CrmDocumentExport(models.TransientModel):
    """Accountants: the financial documents linked to opportunities over a period, to .xlsx
    (typed cells, totals per currency)."""

    _name = "crm.document.export"
    _description = "Export the documents of opportunities"

    date_from = fields.Date(string="From", required=True)
    date_to = fields.Date(string="Until", required=True)
    file_data = fields.Binary(string="File", readonly=True, attachment=False)
    file_name = fields.Char(readonly=True)

    def _rows(self):
        """[(headers, rows)]: one row per document of the period, then totals per currency."""
        self.ensure_one()
        rows = []
        labels = dict(KINDS)
        specs = [
            ("sale.order", "date_order", lambda d: d.name),
            ("account.invoice", "date_invoice", lambda d: d.number or d.display_name),
            ("purchase.order", "date_order", lambda d: d.name),
        ]
        date_to = self.date_to + " 23:59:59"
        for model, date_field, number in specs:
            documents = self.env[model].search([
                ("opportunity_id", "!=", False), (date_field, ">=", self.date_from),
                (date_field, "<=", date_to if model != "account.invoice" else self.date_to)],
                order="%s, id" % date_field)
            states = dict(documents._fields["state"]._description_selection(self.env))
            for document in documents:
                rows.append([
                    labels[model], number(document),
                    fields.Date.from_string(document[date_field][:10]),
                    document.partner_id.display_name, document.opportunity_id.reference,
                    document.amount_untaxed, document.amount_tax, document.amount_total,
                    document.currency_id.name, states.get(document.state, document.state),
                    fields.Date.from_string(document.cos_sent_date),
                ])
        totals = {}
        for row in rows:
            total = totals.setdefault(row[8], [0.0, 0.0, 0.0])
            for index in range(3):
                total[index] += row[5 + index]
        rows.append([])
        for currency, (untaxed, tax, total) in sorted(totals.items()):
            rows.append([_("Total"), None, None, None, None, round(untaxed, 2), round(tax, 2),
                         round(total, 2), currency, None, None])
        headers = [_("Document"), _("Number"), _("Date"), _("Partner"),
                   _("Opportunity reference"), _("Untaxed"), _("Tax"), _("Total"), _("Currency"),
                   _("Status"), _("Sent to customer on")]
        return headers, rows

    @api.multi
    def action_export(self):
        """Opportunity references leave in the file: the export permission is needed, and
        the documents are those the user may read."""
        self.ensure_one()
        self.env["crm.lead"]._check_export_allowed()
        headers, rows = self._rows()
        content = spreadsheet.write_xlsx(headers, rows, sheet_name=_("Documents"))
        self.write({"file_data": base64.b64encode(content),
                    "file_name": "opportunity-documents-%s-%s.xlsx" % (self.date_from,
                                                                       self.date_to)})
        return {
            "type": "ir.actions.act_url",
            "target": "self",
            "url": "/web/content?model=%s&id=%d&field=file_data&filename_field=file_name"
                   "&download=true" % (self._name, self.id),
        }
