from odoo import api, models


class MailFollowers(models.Model):
    """Followers added in bulk (tracks applied to many opportunities)."""

    _inherit = "mail.followers"

    @api.model
    def _add_partner_in_bulk(self, res_model, res_ids, partner_id):
        """Make the partner follow the documents it does not follow yet, with the model's
        default subtypes, as message_subscribe(force=False) does; its other subscriptions
        are left as they are. Two SQL statements instead of a write of every document (with
        its tracking) and one follower created at a time. The caller checks that the user may
        edit the documents."""
        if not res_ids:
            return
        # Fixed SQL; every value is a parameter.
        self.env.cr.execute(
            "SELECT res_id FROM mail_followers WHERE res_model = %s AND partner_id = %s "
            "AND res_id IN %s", (res_model, partner_id, tuple(res_ids)))
        missing = sorted(set(res_ids) - {row[0] for row in self.env.cr.fetchall()})
        if not missing:
            return
        # Fixed SQL; every value is a parameter.
        self.env.cr.execute(
            "INSERT INTO mail_followers (res_model, res_id, partner_id) "
            "SELECT %s, unnest(%s::int[]), %s RETURNING id", (res_model, missing, partner_id))
        follower_ids = [row[0] for row in self.env.cr.fetchall()]
        subtypes = self.env["mail.message.subtype"].default_subtypes(res_model)[0]
        if subtypes:
            # Fixed SQL; every value is a parameter.
            self.env.cr.execute(
                "INSERT INTO mail_followers_mail_message_subtype_rel "
                "(mail_followers_id, mail_message_subtype_id) "
                "SELECT follower, subtype FROM unnest(%s::int[]) AS follower "
                "CROSS JOIN unnest(%s::int[]) AS subtype", (follower_ids, subtypes.ids))
        self.env[res_model].browse(missing).modified(["message_follower_ids"])
