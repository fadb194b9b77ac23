import base64
from html import escape as html_escape

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

DOCUMENT_MODELS = ("sale.order", "account.invoice", "purchase.order")
REPORTS = {
    "sale.order": "sale.action_report_saleorder",
    "account.invoice": "account.account_invoices",
    "purchase.order": "purchase.action_report_purchase_order",
}


class CrmDocumentSendAll(models.TransientModel):
    """E-mail every selected (or all filtered) quote, invoice or purchase order with its PDF,
    through the mail queue; documents that are pending, cancelled or without an e-mail
    address are skipped and listed."""

    _name = "crm.document.send.all"
    _inherit = "crm.list.selection.mixin"
    _description = "Send all documents"

    res_model = fields.Char(string="Document model", required=True, readonly=True)
    res_model_id = fields.Many2one("ir.model", string="Model of the documents", readonly=True)
    template_id = fields.Many2one("mail.template", string="E-mail template")
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
        default = {
            "sale.order": "sale.email_template_edi_sale",
            "account.invoice": "account.email_template_edi_invoice",
            "purchase.order": "purchase.email_template_edi_purchase",
        }[model]
        template = self.env.ref(default, raise_if_not_found=False)
        values["template_id"] = template.id if template else False
        return values

    @api.depends("use_domain", "selected_count", "domain_count")
    def _compute_background_note(self):
        Operation = self.env["crm.background.operation"]
        for wizard in self:
            count = wizard.domain_count if wizard.use_domain else wizard.selected_count
            wizard.background_note = Operation._background_note("send", count)

    @api.model
    def _list_model_name(self):
        model = self.env.context.get("active_model")
        if model not in DOCUMENT_MODELS:
            raise UserError(_("Send all works from a list of quotes, invoices or purchase "
                              "orders."))
        return model

    @api.multi
    def action_send(self):
        self.ensure_one()
        self._check_send_options()
        documents = self._list_records(self.use_domain)
        if documents._name != self.res_model:
            raise UserError(_("Send all works from a list of quotes, invoices or purchase "
                              "orders."))
        Operation = self.env["crm.background.operation"]
        if len(documents) > Operation._threshold("send"):
            return Operation._start("send", _("Send %(count)d documents") % {
                "count": len(documents)}, documents, {
                    "template_id": self.template_id.id,
                    "attachment_ids": self.attachment_ids.ids}).action_open()
        sent, skipped = self._send_documents(documents)
        self.write({"state": "done", "sent_count": sent, "skipped_count": len(skipped),
                    "skipped_list": "\n".join(skipped)})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _check_send_options(self):
        template = self.template_id
        if not template:
            raise UserError(_("Choose or create the e-mail template."))
        if template.model_id.model != self.res_model:
            raise UserError(_("The template \"%s\" is not made for these documents.")
                            % template.name)
        self._check_attachments()

    def _send_documents(self, documents):
        """E-mail these documents (through the mail queue) with a chatter note each; returns
        the number sent and the lines of those skipped (with the reason)."""
        template = self.template_id
        reasons = {
            "pending": _("pending"),
            "cancelled": _("cancelled or rejected"),
            "no_email": _("no e-mail address"),
        }
        sent, skipped = 0, []
        for document in documents:
            reason = document._cos_send_skip_reason()
            if not reason and not document.partner_id.email:
                reason = "no_email"
            if reason:
                skipped.append("%s: %s" % (document.display_name, reasons[reason]))
                continue
            attachment_ids = list(self.attachment_ids.ids)
            if not template.report_template:
                attachment_ids.append(self._pdf_attachment(document).id)
            # (send_mail takes attachment ids here, not x2many commands)
            template.send_mail(document.id, force_send=False,
                               email_values={"attachment_ids": attachment_ids})
            document.message_post(body=_("<p>E-mailed with the template %s (Send all).</p>")
                                  % html_escape(template.name))
            sent += 1
        return sent, skipped

    def _check_attachments(self):
        """Extra attachments are files the user uploaded here: the mail queue reads them as
        superuser, so any other attachment ID (a file of another record, of another user)
        would be mailed out by whoever names it."""
        attachments = self.attachment_ids
        if not attachments:
            return
        # Fixed SQL; the ids and the user are parameters.
        self.env.cr.execute("SELECT id FROM ir_attachment WHERE id IN %s AND ("
                            "create_uid IS DISTINCT FROM %s OR coalesce(res_id, 0) != 0 OR "
                            "res_field IS NOT NULL)", (tuple(attachments.ids), self.env.uid))
        if self.env.cr.fetchall():
            raise AccessError(_("Only files you upload in this dialog can be added to the "
                                "e-mails."))
        attachments.check("read")

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
