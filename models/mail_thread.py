from odoo import api, models

from ..lib import guard


class MailThread(models.AbstractModel):
    """Mail sent to an opportunity's drop address (``opportunity+<token>@<alias domain>``,
    also when the address is only in Bcc: the mail server's Delivered-To) is routed to that
    opportunity before Odoo's own routing. While a mail is processed, whether its From may be
    trusted (crm.lead._mail_sender_trusted) is known to the code that creates an opportunity
    from it (crm.lead.message_new receives no headers)."""

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
    def message_route_process(self, message, message_dict, routes):
        # A flag of the server thread, not a context key: a client calling message_new over
        # RPC cannot claim that its mail's sender was checked.
        trusted = self.env["crm.lead"]._mail_sender_trusted(message)
        with guard.internal(*((guard.MAIL_SENDER,) if trusted else ())):
            return super().message_route_process(message, message_dict, routes)
