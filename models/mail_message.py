from odoo import api, fields, models


class MailMessage(models.Model):
    _inherit = "mail.message"

    cos_note_tag_ids = fields.Many2many("crm.note.tag", string="Note tags")
    cos_linked_from_id = fields.Many2one(
        "mail.message", string="Linked from", ondelete="set null", readonly=True,
        help="The mail of a contact this message was linked from.")

    @api.model_cr
    def init(self):
        result = super().init()
        # Deleting a message looks for the messages linked from it (ondelete set null): without
        # an index, one scan of every message per message deleted (the trash purge deleting
        # thousands of messages on a large database took minutes). Partial: the few linked
        # messages only. Fixed SQL.
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS mail_message_cos_linked_from_partial_index "
            "ON mail_message (cos_linked_from_id) WHERE cos_linked_from_id IS NOT NULL")
        # The sales insights count the activities logged on opportunities per author and
        # type: these columns of those messages only, read without the table (index-only
        # scan). Fixed SQL.
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS mail_message_cos_lead_activity_partial_index "
            "ON mail_message (res_id, author_id, mail_activity_type_id) "
            "WHERE model = 'crm.lead' AND mail_activity_type_id IS NOT NULL")
        return result
