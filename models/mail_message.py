from odoo import fields, models


class MailMessage(models.Model):
    _inherit = "mail.message"

    cos_note_tag_ids = fields.Many2many("crm.note.tag", string="Note tags")
    cos_linked_from_id = fields.Many2one(
        "mail.message", string="Linked from", ondelete="set null", readonly=True,
        help="The mail of a contact this message was linked from.")
