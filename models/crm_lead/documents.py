from collections import namedtuple
from html import escape as html_escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError

# How the item lines become the lines of each kind of document: the document's model and field
# of lines, then the names its lines give the quantity, unit of measure, discount and taxes.
# text_product: free-text items (no product) take the text product; on an invoice a line with
# no product is already a description line. purchase_uom: the product's purchase unit first.
# discount None: Odoo 11's purchase order lines have none, the unit price carries it.
# vendor_taxes: the product's vendor taxes, not the item's (sales) taxes.
LineSpec = namedtuple("LineSpec", "model lines_field text_product quantity uom purchase_uom "
                                  "discount taxes vendor_taxes")
LINE_SPECS = {
    "quote": LineSpec("sale.order", "order_line", True, "product_uom_qty", "product_uom",
                      False, "discount", "tax_id", False),
    "invoice": LineSpec("account.invoice", "invoice_line_ids", False, "quantity", "uom_id",
                        False, "discount", "invoice_line_tax_ids", False),
    "purchase": LineSpec("purchase.order", "order_line", True, "product_qty", "product_uom",
                         True, None, "taxes_id", True),
}


class CrmLeadDocuments(models.Model):
    """Financial documents made from the items: quotes, customer invoices, purchase orders."""

    _inherit = "crm.lead"

    invoice_ids = fields.One2many("account.invoice", "opportunity_id", string="Invoices")
    invoice_count = fields.Integer(compute="_compute_document_counts", string="Invoices")
    purchase_ids = fields.One2many("purchase.order", "opportunity_id", string="Purchase orders")
    purchase_count = fields.Integer(compute="_compute_document_counts",
                                    string="Purchase orders")

    @api.depends("invoice_ids", "purchase_ids")
    def _compute_document_counts(self):
        for lead in self:
            lead.invoice_count = len(lead.invoice_ids)
            lead.purchase_count = len(lead.purchase_ids)

    @api.multi
    def create_document(self, kind, vendor=None):
        """A draft quote, customer invoice or purchase order (``kind``: quote, invoice,
        purchase) filled from the item lines, in the opportunity's currency and linked to it;
        free-text items become description lines."""
        self.ensure_one()
        self.check_access_rule("write")
        if not self.line_ids:
            raise UserError(_("Add items to the opportunity first: the document is filled "
                              "from them."))
        if kind in ("quote", "invoice") and not self.partner_id:
            raise UserError(_("Choose the customer of the opportunity first."))
        if kind == "purchase" and not vendor:
            raise UserError(_("Choose the vendor of the purchase order."))
        text_product = self.env.ref("crm_opportunity_suite.product_text_line")
        headers = {"quote": self._quote_values, "invoice": self._invoice_values,
                   "purchase": self._purchase_values}
        if kind not in headers:
            raise UserError(_("Unknown kind of document: %s.") % kind)
        spec = LINE_SPECS[kind]
        vals, line_extras = headers[kind](vendor)
        vals[spec.lines_field] = self._document_lines(spec, text_product, line_extras)
        document = self.env[spec.model].create(vals)
        self._post_bulk_notes({self.id: _("<p>%s created from the items.</p>") % html_escape(
            document.display_name)})
        return document

    def _document_lines(self, spec, text_product, line_extras):
        """The (0, 0, values) commands of the document's lines, one per item line."""
        lines = []
        for line in self.line_ids:
            product = line.product_id
            if not product and spec.text_product:
                product = text_product
            uom = (spec.purchase_uom and product.uom_po_id) or product.uom_id
            values = {
                "product_id": product.id,
                "name": line.name,
                spec.quantity: line.quantity,
                spec.uom: uom.id,
                "price_unit": line.price_unit,
                spec.taxes: [(6, 0, (product.supplier_taxes_id if spec.vendor_taxes
                                     else line.tax_ids).ids)],
            }
            if spec.discount:
                values[spec.discount] = line.discount
            else:
                values["price_unit"] = line.price_unit * (1 - (line.discount or 0.0) / 100.0)
            values.update(line_extras(product))
            lines.append((0, 0, values))
        return lines

    # Per kind: the document's own values, and a function giving the values its lines have
    # besides those of LINE_SPECS (from the line's product).

    def _quote_values(self, _vendor):
        Pricelist = self.env["product.pricelist"]
        pricelist = Pricelist.search([("currency_id", "=", self.currency_id.id)], limit=1)
        if not pricelist:
            pricelist = Pricelist.create({"name": _("Opportunities (%s)") % self.currency_id.name,
                                          "currency_id": self.currency_id.id})
        return {
            "partner_id": self.partner_id.id,
            "opportunity_id": self.id,
            "team_id": self.team_id.id,
            "user_id": self.user_id.id or self.env.uid,
            "pricelist_id": pricelist.id,
            "payment_term_id": self.payment_term_id.id,
            "origin": self.reference,
            "validity_date": self.date_deadline,
        }, lambda product: {}

    def _invoice_values(self, _vendor):
        journal = self.env["account.invoice"].with_context(type="out_invoice")._default_journal()

        def line_extras(product):
            account = (product.property_account_income_id or
                       product.categ_id.property_account_income_categ_id or
                       journal.default_credit_account_id)
            return {"account_id": account.id}

        return {
            "type": "out_invoice",
            "partner_id": self.partner_id.id,
            "opportunity_id": self.id,
            "team_id": self.team_id.id,
            "user_id": self.user_id.id or self.env.uid,
            "currency_id": self.currency_id.id,
            "journal_id": journal.id,
            "payment_term_id": self.payment_term_id.id,
            "origin": self.reference,
        }, line_extras

    def _purchase_values(self, vendor):
        now = fields.Datetime.now()
        return {
            "partner_id": vendor.id,
            "opportunity_id": self.id,
            "currency_id": self.currency_id.id,
            "origin": self.reference,
        }, lambda product: {"date_planned": now}

    @api.multi
    def action_view_documents(self):
        """Smart buttons: the opportunity's invoices, purchase orders or missions."""
        self.ensure_one()
        model = self.env.context.get("cos_documents")
        records = {"account.invoice": self.invoice_ids, "purchase.order": self.purchase_ids,
                   "project.task": self.mission_ids}[model]
        return {
            "type": "ir.actions.act_window",
            "name": records._description,
            "res_model": model,
            "view_mode": "tree,form",
            "domain": [("id", "in", records.ids)],
            "context": {"default_opportunity_id": self.id},
        }
