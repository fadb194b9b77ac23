from odoo import fields, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    create_sender_contact = fields.Boolean(
        string="Create contacts from mail",
        help="An opportunity created by a mail to this team's alias is linked to the sender, "
             "created as a contact when unknown (for a user forwarding a mail: the original "
             "sender). Off: Odoo's own behaviour, the opportunity keeps only the address.")
