import base64
from html import escape as html_escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError

DOCUMENT_MODELS = ("sale.order", "account.invoice", "purchase.order")
REPORTS = {
    "sale.order": "sale.action_report_saleorder",
    "account.invoice": "account.account_invoices",
    "purchase.order": "purchase.action_report_purchase_order",
}
DEFAULT_TEMPLATES = {
    "sale.order": "sale.email_template_edi_sale",
    "account.invoice": "account.email_template_edi_invoice",
    "purchase.order": "purchase.email_template_edi_purchase",
}
# On a list of opportunities: per kind of document, the wizard's fields saying whether to send
# it, with which template, and the template's model (for a new template).
KINDS = {
    "sale.order": ("send_quotes", "quote_template_id", "quote_model_id"),
    "account.invoice": ("send_invoices", "invoice_template_id", "invoice_model_id"),
    "purchase.order": ("send_purchases", "purchase_template_id", "purchase_model_id"),
}


class CrmDocumentSendAll(models.TransientModel):
    """E-mail every selected (or all filtered) quote, invoice or purchase order with its PDF,
    or, from a list of opportunities, their documents, through the mail queue; documents that
    are pending, cancelled or without an e-mail address are skipped and listed."""

    _name = "crm.document.send.all"
    _inherit = "crm.list.selection.mixin"
    _description = "Send all documents"

    res_model = fields.Char(string="Document model", required=True, readonly=True)
    res_model_id = fields.Many2one("ir.model", string="Model of the documents", readonly=True)
    template_id = fields.Many2one("mail.template", string="E-mail template")
    # From a list of opportunities: the kinds of documents to send and their templates.
    send_quotes = fields.Boolean(string="Quotes", default=True)
    send_invoices = fields.Boolean(string="Customer invoices", default=True)
    send_purchases = fields.Boolean(string="Purchase orders", default=True)
    quote_template_id = fields.Many2one("mail.template", string="Template of the quotes")
    invoice_template_id = fields.Many2one("mail.template", string="Template of the invoices")
    purchase_template_id = fields.Many2one("mail.template",
                                           string="Template of the purchase orders")
    quote_model_id = fields.Many2one("ir.model", readonly=True)
    invoice_model_id = fields.Many2one("ir.model", readonly=True)
    purchase_model_id = fields.Many2one("ir.model", readonly=True)
    document_summary = fields.Char(string="Documents", compute="_compute_document_summary")
    attachment_ids = fields.Many2many("ir.attachment", string="Extra attachments")
    state = fields.Selection([("draft", "To send"), ("done", "Sent")], default="draft")
    sent_count = fields.Integer(string="Sent", readonly=True)
    skipped_count = fields.Integer(string="Skipped", readonly=True)
    skipped_list = fields.Text(string="Skipped documents", readonly=True)
    background_note = fields.Char(compute="_compute_background_note",
                                  string="In the background")

    @api.model
    def default_get(self, field_names):
        model = self._list_model_name()
        values = super().default_get(field_names)
        values["res_model"] = model
        values["res_model_id"] = self.env["ir.model"]._get(model).id
        if model == "crm.lead":
            for document_model, (_send, template_field, model_field) in KINDS.items():
                values[template_field] = self._default_template(document_model)
                values[model_field] = self.env["ir.model"]._get(document_model).id
        else:
            values["template_id"] = self._default_template(model)
        return values

    def _default_template(self, model):
        template = self.env.ref(DEFAULT_TEMPLATES[model], raise_if_not_found=False)
        return template.id if template else False

    @api.depends("use_domain", "selected_count", "domain_count", "send_quotes",
                 "send_invoices", "send_purchases")
    def _compute_background_note(self):
        Operation = self.env["crm.background.operation"]
        for wizard in self:
            if wizard.res_model == "crm.lead":
                # The documents of the opportunities, counted in the list's context only.
                if self.env.context.get("active_model") != "crm.lead":
                    wizard.background_note = False
                    continue
                count = sum(len(records) for records in wizard._documents().values())
            else:
                count = wizard.domain_count if wizard.use_domain else wizard.selected_count
            wizard.background_note = Operation._background_note("send", count)

    @api.model
    def _list_model_name(self):
        model = self.env.context.get("active_model")
        if model not in DOCUMENT_MODELS + ("crm.lead",):
            raise UserError(_("Send all works from a list of opportunities, quotes, invoices "
                              "or purchase orders."))
        return model

    @staticmethod
    def _kind_labels():
        return {"sale.order": _("quotes"), "account.invoice": _("invoices"),
                "purchase.order": _("purchase orders")}

    @api.depends("use_domain", "send_quotes", "send_invoices", "send_purchases", "state")
    def _compute_document_summary(self):
        labels = self._kind_labels()
        for wizard in self:
            # Counted while choosing, in the list's context (the result form has none).
            if wizard.res_model != "crm.lead" or wizard.state == "done" or \
                    self.env.context.get("active_model") != "crm.lead":
                wizard.document_summary = False
                continue
            documents = wizard._documents()
            summary = ", ".join(_("%(documents)s: %(count)d") % {
                "documents": labels[model], "count": len(documents[model])}
                for model in DOCUMENT_MODELS if model in documents) or _("none")
            wizard.document_summary = summary[:1].upper() + summary[1:]

    def _documents(self):
        """{model: documents} to send: the ticked rows (or the whole filter) of a list of
        documents, or the documents of the kinds ticked of the ticked (or filtered)
        opportunities. Searched with the user's rights."""
        records = self._list_records(self.use_domain)
        if records._name != self.res_model:
            raise UserError(_("Send all works from a list of opportunities, quotes, invoices "
                              "or purchase orders."))
        if records._name != "crm.lead":
            return {records._name: records}
        # The ticked rows are ids from the client: only the opportunities the user may read.
        records = records.search([("id", "in", records.ids)])
        result = {}
        for model, (send_field, _template, _model) in KINDS.items():
            if self[send_field] and self.env[model].check_access_rights("read", False):
                result[model] = self.env[model].search(
                    [("opportunity_id", "in", records.ids)], order="opportunity_id, id")
        return result

    def _templates(self):
        if self.res_model == "crm.lead":
            return {model: self[template_field]
                    for model, (_send, template_field, _model) in KINDS.items()}
        return {self.res_model: self.template_id}

    @api.multi
    def action_send(self):
        self.ensure_one()
        documents = self._documents()
        if not any(documents.values()):
            raise UserError(_("There is no quote, invoice or purchase order to send."))
        templates = self._templates()
        labels = self._kind_labels()
        for model, records in documents.items():
            template = templates.get(model)
            if records and not template:
                raise UserError(_("Choose or create the e-mail template of the %(documents)s.")
                                % {"documents": labels[model]})
            if records and template.model_id.model != model:
                raise UserError(_("The template \"%(template)s\" is not made for these "
                                  "documents (%(documents)s).") % {
                                      "template": template.name, "documents": labels[model]})
        self.attachment_ids._cos_check_own_uploads(
            _("Only files you upload in this dialog can be added to the e-mails."))
        if sum(len(records) for records in documents.values()) > \
                self.env["crm.background.operation"]._threshold("send"):
            return self._start_in_background(documents)
        sent, skipped = self._send_documents(documents, templates, self.attachment_ids)
        self.write({"state": "done", "sent_count": sent, "skipped_count": len(skipped),
                    "skipped_list": "\n".join(skipped)})
        return {
            "type": "ir.actions.act_window",
            "name": _("Send all"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _start_in_background(self, documents):
        """One background operation per kind of document (each its model and template);
        the dialog shows the operation, or the list of them."""
        Operation = self.env["crm.background.operation"]
        templates = self._templates()
        operations = Operation.browse()
        for model in DOCUMENT_MODELS:
            records = documents.get(model)
            if not records:
                continue
            operations |= Operation._start("send", _("Send %(count)d documents") % {
                "count": len(records)}, records, {
                    "template_id": templates[model].id,
                    "attachment_ids": self.attachment_ids.ids})
        if len(operations) == 1:
            return operations.action_open()
        action = self.env.ref("crm_opportunity_suite.crm_background_operation_action").read()[0]
        action["domain"] = [("id", "in", operations.ids)]
        return action

    def _check_send_options(self):
        """The background job's check of the wizard it rebuilds: a template of the
        documents' model, extra attachments uploaded by the user."""
        template = self.template_id
        if not template:
            raise UserError(_("Choose or create the e-mail template."))
        if template.model_id.model != self.res_model:
            raise UserError(_("The template \"%(template)s\" is not made for these "
                              "documents.") % {"template": template.name})
        self.attachment_ids._cos_check_own_uploads(
            _("Only files you upload in this dialog can be added to the e-mails."))

    @api.model
    def _send_documents(self, documents, templates, attachments):
        """The sending: each document of ``documents`` ({model: records}) is e-mailed to its
        partner through the mail queue with the template of its model (``templates``, checked
        by the caller), its PDF and ``attachments`` (checked by the caller: files the user
        uploaded); pending, cancelled or rejected ones and partners without an e-mail
        address are skipped. Returns (number sent, lines "document: why skipped")."""
        reasons = {
            "pending": _("pending"),
            "cancelled": _("cancelled or rejected"),
            "no_email": _("no e-mail address"),
        }
        sent, skipped = 0, []
        for model in DOCUMENT_MODELS:
            template = templates.get(model)
            for document in documents.get(model, ()):
                reason = document._cos_send_skip_reason()
                if not reason and not document.partner_id.email:
                    reason = "no_email"
                if reason:
                    name = document.display_name
                    if document.opportunity_id:
                        name = "%s (%s)" % (name, document.opportunity_id.reference)
                    skipped.append("%s: %s" % (name, reasons[reason]))
                    continue
                attachment_ids = list(attachments.ids)
                if not template.report_template:
                    attachment_ids.append(self._pdf_attachment(document).id)
                # (send_mail takes attachment ids here, not x2many commands)
                template.send_mail(document.id, force_send=False,
                                   email_values={"attachment_ids": attachment_ids})
                document.message_post(body=_("<p>E-mailed with the template %s (Send "
                                             "all).</p>") % html_escape(template.name))
                sent += 1
        return sent, skipped

    def _pdf_attachment(self, document):
        report = self.env.ref(REPORTS[document._name])
        content, _kind = report.render_qweb_pdf(document.ids)
        return self.env["ir.attachment"].create({
            "name": "%s.pdf" % document.display_name,
            "datas_fname": "%s.pdf" % document.display_name.replace("/", "_"),
            "datas": base64.b64encode(content),
            "res_model": "mail.compose.message",
            "res_id": 0,
            "mimetype": "application/pdf",
        })
