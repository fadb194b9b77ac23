from email.parser import BytesHeaderParser
from xmlrpc.client import Binary

from odoo import _, api, models
from odoo.exceptions import AccessError

from ..lib import guard


class MailThread(models.AbstractModel):
    """Mail sent to an opportunity's drop address (``opportunity+<token>@<alias domain>``,
    also when the address is only in Bcc: the mail server's Delivered-To) is routed to that
    opportunity before Odoo's own routing. While a received mail is processed, whether its
    From may be trusted (crm.lead._mail_sender_trusted) is known to the code that creates an
    opportunity from it (crm.lead.message_new receives no headers)."""

    _inherit = "mail.thread"

    @api.model
    def message_route(self, message, message_dict, model=None, thread_id=None,
                      custom_values=None):
        routes = self.env["crm.lead"]._drop_address_routes(message, message_dict)
        if routes is not None:
            return routes
        return super().message_route(message, message_dict, model=model, thread_id=thread_id,
                                     custom_values=custom_values)

    @api.model
    def message_process(self, model, message, custom_values=None, save_original=False,
                        strip_attachments=False, thread_id=None):
        # The headers read from the raw mail, as Odoo's own parsing does. A flag of the server
        # thread, not a context key: a client calling message_new (or message_route_process)
        # itself cannot claim that the sender was checked.
        raw = bytes(message.data) if isinstance(message, Binary) else message
        raw = raw.encode("utf-8") if isinstance(raw, str) else raw
        trusted = self.env["crm.lead"]._mail_sender_trusted(BytesHeaderParser().parsebytes(raw))
        with guard.internal(guard.MAIL_GATEWAY, *((guard.MAIL_SENDER,) if trusted else ())):
            return super().message_process(
                model, message, custom_values=custom_values, save_original=save_original,
                strip_attachments=strip_attachments, thread_id=thread_id)

    @api.model
    def message_route_process(self, message, message_dict, routes):
        # Public in Odoo 11, and each route names a user as whom the record is created or
        # updated (sudo): over RPC, any user would post on, or create, any record as the
        # superuser. Only message_process, which computes the routes, may call it.
        if not guard.allowed(guard.MAIL_GATEWAY):
            raise AccessError(_("Incoming mail is processed by message_process only."))
        return super().message_route_process(message, message_dict, routes)
