from html import escape as html_escape

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError

from ...lib import bulk

# Messages per INSERT.
NOTES_BATCH = 5000
# The notes of _post_bulk_notes(), each with its opportunity's name: read by the INSERT, or
# given (the third array: NULLs when read). Their write_uid is left empty: a note is not
# written after it is posted, no screen shows it, and each user column filled is a foreign-key
# check per row (0.3 s per 100,000 notes); create_uid is the poster, as message_post() sets it.
INSERT_NOTES = """
    INSERT INTO mail_message (model, res_id, body, message_type, subtype_id, author_id,
                              email_from, date, record_name, create_uid, create_date,
                              write_date)
    SELECT 'crm.lead', note.id, note.body, 'notification', %s, %s, %s,
           now() AT TIME ZONE 'UTC', {name}, %s, now() AT TIME ZONE 'UTC',
           now() AT TIME ZONE 'UTC'
    FROM unnest(%s::int[], %s::text[], %s::varchar[])
         WITH ORDINALITY AS note (id, body, name, position)
    {join}
    ORDER BY note.position"""
INSERT_NOTES_NAMED = INSERT_NOTES.format(name="note.name", join="")
INSERT_NOTES = INSERT_NOTES.format(name="lead.name",
                                   join="LEFT JOIN crm_lead lead ON lead.id = note.id")


class CrmLeadChatter(models.Model):
    """The opportunity's chatter: notes in bulk, logged activities, tagged notes with
    reminders, a contact's mail linked in, and the links of the link templates."""

    _inherit = "crm.lead"

    link_html = fields.Html(compute="_compute_link_html", string="Links", sanitize=False)

    def _compute_link_html(self):
        templates = self.env["crm.link.template"].search([])
        for lead in self:
            lead.link_html = "".join(
                '<a href="%s" target="_blank" rel="noopener noreferrer" '
                'class="btn btn-default btn-sm o_cos_link">%s</a> ' % (
                    html_escape(template._render(lead)), html_escape(template.name))
                for template in templates)

    def _post_bulk_notes(self, bodies, names=None):
        """One internal note per opportunity ({lead id: HTML body}), inserted in one statement
        per batch: message_post() per record (notifications to nobody included) took most of
        the time of bulk operations on thousands of opportunities. ``names``: {lead id: its
        name now} when the caller has read them (the import: at 100,000 notes, reading them
        again was a pass over the opportunities); the others are read by the INSERT.

        What message_post() would also do and is not needed for a note to nobody: no
        followers notified, no needaction, no mail sent; the thread's message cache is
        invalidated below."""
        if not bodies:
            return
        subtype = self.env.ref("mail.mt_note")
        author = self.env.user.partner_id
        email_from = author.email and "%s <%s>" % (author.name, author.email) or False
        names = names or {}
        ids = list(bodies)
        for chunk in range(0, len(ids), NOTES_BATCH):
            part = ids[chunk:chunk + NOTES_BATCH]
            given = all(lead_id in names for lead_id in part)
            # Fixed SQL; every value is a parameter (the ids, bodies and names as arrays).
            # Callers pass opportunities they checked or wrote; the record name is the
            # opportunity's (given, or read here).
            self.env.cr.execute(INSERT_NOTES_NAMED if given else INSERT_NOTES, (
                subtype.id, author.id, email_from, self.env.uid,
                bulk.pg_array(part), bulk.pg_array([bodies[lead_id] for lead_id in part]),
                bulk.pg_array([names[lead_id] or None if given else None for lead_id in part])))
        self.browse(ids).invalidate_cache(["message_ids"])

    @api.multi
    def log_activity(self, activity_type, summary=False, note=False):
        """Log an activity that took place: a chatter message of that activity type (what
        crm's activity analysis counts per type and per user)."""
        self.ensure_one()
        self.check_access_rule("read")
        body = "<p><b>%s</b>%s</p>%s" % (
            html_escape(activity_type.name), summary and ": %s" % html_escape(summary) or "",
            note or "")
        return self.message_post(body=body, subtype="mail.mt_activities",
                                 mail_activity_type_id=activity_type.id)

    @api.multi
    def add_note(self, body, tags=None, partners=None, remind_date=False, remind_user=None,
                 recurrence=(0, False)):
        """A note with tags, people notified, and an optional reminder (a to-do for the
        chosen user on that date, repeating when a recurrence is given)."""
        self.ensure_one()
        message = self.message_post(body=body, subtype="mail.mt_note",
                                    partner_ids=(partners or self.env["res.partner"]).ids)
        if tags:
            # Ids or a recordset only: x2many commands (a client's) would create or change
            # tags as superuser below.
            tags = self.env["crm.note.tag"].browse(
                tags.ids if isinstance(tags, models.BaseModel) else [int(tag) for tag in tags])
            # message_post() checked that the user may post on the opportunity; as superuser
            # only the (admin-configured) tags of this new note are set.
            message.sudo().cos_note_tag_ids = tags
        if remind_date:
            interval, unit = recurrence
            self.env["mail.activity"].create({
                "res_model_id": self.env["ir.model"]._get("crm.lead").id,
                "res_id": self.id,
                "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
                "summary": _("Reminder: %s") % (tools.html2plaintext(body).strip()[:80]),
                "note": body,
                "user_id": (remind_user or self.env.user).id,
                "date_deadline": remind_date,
                "recurrence_interval": interval or 0,
                "recurrence_unit": unit or "weeks",
            })
        return message

    @api.multi
    def link_message(self, message):
        """Show a mail stored on one of this opportunity's contacts on the opportunity too."""
        self.ensure_one()
        self.check_access_rule("write")
        partner = self.env["res.partner"].browse(message.res_id)
        if message.model != "res.partner" or not partner.exists() or not (
                partner == self.contact_id or (self.partner_id and
                partner.commercial_partner_id == self.partner_id.commercial_partner_id)):
            raise UserError(_("Only a mail of one of the opportunity's contacts can be linked "
                              "to it."))
        if self.env["mail.message"].search_count([("cos_linked_from_id", "=", message.id),
                                                  ("model", "=", "crm.lead"),
                                                  ("res_id", "=", self.id)]):
            raise UserError(_("This mail is already linked to the opportunity."))
        # Checked above: the user may write on the opportunity, read the mail (its fields were
        # read with their rights) and it is a contact's. As superuser only to copy it there.
        return message.sudo().copy({
            "model": "crm.lead", "res_id": self.id, "record_name": self.name,
            "cos_linked_from_id": message.id, "message_id": False,
            "attachment_ids": [(6, 0, message.attachment_ids.ids)],
            "partner_ids": [], "needaction_partner_ids": [], "notification_ids": [],
        })
