from odoo import api, models


class MailThread(models.AbstractModel):
    """Mail sent to an opportunity's drop address (``opportunity+<token>@<alias domain>``,
    also when the address is only in Bcc: the mail server's Delivered-To) is routed to that
    opportunity before Odoo's own routing."""

    _inherit = "mail.thread"

    @api.model
    def message_route(self, message, message_dict, model=None, thread_id=None,
                      custom_values=None):
        routes = self.env["crm.lead"]._drop_address_routes(message, message_dict)
        if routes is not None:
            return routes
        return super().message_route(message, message_dict, model=model, thread_id=thread_id,
                                     custom_values=custom_values)
