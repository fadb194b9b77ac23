import os
import re
import secrets
import tempfile
import unicodedata
import zipfile
from collections import defaultdict
from datetime import datetime, timedelta
from html import escape as html_escape, unescape as html_unescape

from psycopg2 import sql

from odoo import SUPERUSER_ID, _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression

from ..lib import bulk, guard, spreadsheet

STATUSES = [
    ("open", "Open"),
    ("hold", "On hold"),
    ("won", "Won"),
    ("lost", "Lost"),
]
OPEN_STATUSES = ("open", "hold")
NOTES_BATCH = 5000
CLOSE_BATCH = 2000
TRASH_DAYS = 30
# Drop address tokens: random (secrets), not derived from the ID; no look-alike characters.
# 32 characters, 20 of them: 100 bits.
TOKEN_CHARS = "abcdefghijkmnpqrstuvwxyz23456789"
TOKEN_LENGTH = 20
# Written by the addon's own code only (lib/guard.py): a client writing them would empty or
# fill the trash, or pick its own drop address.
INTERNAL_FIELDS = ("trash_date", "trashed_by_id", "active_before_trash",
                   "stage_before_close_id", "drop_token")
ZIP_NAME_LENGTH = 150
FORWARDED_FROM = re.compile(r"^\s*(?:>\s*)*(?:From|De)\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)


def safe_file_name(name):
    """A file name safe inside a zip: no folders (slash, backslash, "..") and no control
    characters, at most ZIP_NAME_LENGTH characters."""
    text = "".join("_" if unicodedata.category(char).startswith("C") else char
                   for char in (name or ""))
    text = re.sub(r"[/\\:]+", "_", text).strip().lstrip(".").strip()
    text = re.sub(r"\.{2,}", ".", text)
    return text[-ZIP_NAME_LENGTH:] or "file"


AUTOMATIC_SENDERS = ("mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply",
                     "do-not-reply")


def is_automatic_mail(message, email_from):
    """Whether a mail was sent by a machine (auto-reply, bounce, mailing list): such mail is
    never answered with a bounce, which would loop or hit a forged sender (RFC 3834)."""
    auto_submitted = (message.get("Auto-Submitted") or "no").strip().lower()
    precedence = (message.get("Precedence") or "").strip().lower()
    if auto_submitted != "no" or precedence in ("bulk", "junk", "list", "auto_reply"):
        return True
    if message.get("X-Autoreply") or message.get("X-Autorespond") or \
            message.get("X-Auto-Response-Suppress") or message.get("List-Id"):
        return True
    if (message.get("Return-Path") or "").strip() == "<>":
        return True
    addresses = tools.email_split(email_from or "")
    return not addresses or addresses[0].split("@")[0].lower() in AUTOMATIC_SENDERS


class CrmLead(models.Model):
    _inherit = "crm.lead"

    def _default_currency_id(self):
        return self.env.user.company_id.currency_id

    reference = fields.Char(
        readonly=True, copy=False, index=True,
        help="Unique reference given by the sequence when the opportunity is created.")
    currency_id = fields.Many2one(
        "res.currency", string="Currency", required=True, default=_default_currency_id,
        track_visibility="onchange")
    payment_term_id = fields.Many2one("account.payment.term", string="Payment terms")
    contact_id = fields.Many2one(
        "res.partner", string="Contact person", index=True, track_visibility="onchange",
        help="The person to talk to at the customer (distinct from the customer itself).")
    probability_tag_id = fields.Many2one(
        "crm.probability.tag", string="Probability tag", index=True, ondelete="restrict",
        track_visibility="onchange")
    probability_tag_color = fields.Char(related="probability_tag_id.color_hex", readonly=True)
    on_hold = fields.Boolean(string="On hold", copy=False)
    status = fields.Selection(
        STATUSES, compute="_compute_status", inverse="_inverse_status", store=True, index=True,
        track_visibility="onchange",
        help="Open and On hold opportunities are in the pipeline; Won means probability 100%; "
             "Lost means archived with probability 0%.")
    line_ids = fields.One2many("crm.lead.line", "lead_id", string="Items", copy=True)
    has_lines = fields.Boolean(compute="_compute_has_lines", string="Has items")
    amount_untaxed = fields.Monetary(
        compute="_compute_amounts", store=True, currency_field="currency_id",
        string="Untaxed amount")
    amount_tax = fields.Monetary(
        compute="_compute_amounts", store=True, currency_field="currency_id", string="Taxes")
    amount_total = fields.Monetary(
        compute="_compute_amounts", store=True, currency_field="currency_id", string="Total")

    applied_track_ids = fields.One2many("crm.lead.track", "lead_id", string="Tracks")
    track_id = fields.Many2one(
        "crm.track", string="Track", compute="_compute_track_id", readonly=False,
        help="Track to apply when the opportunity is created.")
    track_end_date = fields.Date(
        string="Track end date", compute="_compute_track_id", readonly=False,
        help="End date of the track applied at creation (by default the due date).")
    stage_before_close_id = fields.Many2one(
        "crm.stage", string="Stage before closing", copy=False, readonly=True,
        help="Where the opportunity goes back when it is reopened.")
    trash_date = fields.Datetime(string="Moved to the trash on", copy=False, readonly=True,
                                 index=True)
    trashed_by_id = fields.Many2one("res.users", string="Moved to the trash by", copy=False,
                                    readonly=True)
    active_before_trash = fields.Boolean(string="Active before the trash", copy=False,
                                         readonly=True)

    mission_ids = fields.One2many("project.task", "opportunity_id", string="Missions",
                                  domain=[("is_mission", "=", True)])
    mission_count = fields.Integer(compute="_compute_mission_count", string="Missions")
    project_ids = fields.One2many("project.project", "opportunity_id", string="Projects")
    project_count = fields.Integer(compute="_compute_project_count", string="Projects")

    attachment_count = fields.Integer(compute="_compute_attachment_count", string="Files")
    invoice_ids = fields.One2many("account.invoice", "opportunity_id", string="Invoices")
    invoice_count = fields.Integer(compute="_compute_document_counts", string="Invoices")
    purchase_ids = fields.One2many("purchase.order", "opportunity_id", string="Purchase orders")
    purchase_count = fields.Integer(compute="_compute_document_counts",
                                    string="Purchase orders")

    drop_token = fields.Char(string="Drop address token", copy=False, readonly=True,
                             index=True)
    drop_address = fields.Char(
        compute="_compute_drop_address", string="Drop address",
        help="Mail sent, forwarded or copied (Bcc) to this address is stored on the "
             "opportunity, with its attachments.")
    link_html = fields.Html(compute="_compute_link_html", string="Links", sanitize=False)

    _sql_constraints = [
        ("reference_uniq", "unique (reference)", "The reference of an opportunity must be unique."),
        ("drop_token_uniq", "unique (drop_token)", "Two opportunities cannot share a drop address."),
    ]

    @api.depends("active", "probability", "on_hold")
    def _compute_status(self):
        for lead in self:
            if lead.probability >= 100:
                lead.status = "won"
            elif not lead.active:
                lead.status = "lost"
            elif lead.on_hold:
                lead.status = "hold"
            else:
                lead.status = "open"

    def _inverse_status(self):
        # Batched by outcome: bulk closes and imports set the status of many leads at once. The
        # stored state is read in SQL: filtering through the ORM read every column of every
        # lead again after each write. Fixed SQL, the ids as a parameter: write() checked
        # these leads before it runs the inverse.
        self.env.cr.execute("SELECT id, probability, active, on_hold, team_id FROM crm_lead "
                            "WHERE id IN %s", (tuple(self.ids) or (0,),))
        stored = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        wanted = defaultdict(list)
        for lead in self:
            wanted[lead.status].append(lead.id)
        to_win = [i for i in wanted["won"] if i in stored
                  and (stored[i][0] < 100 or not stored[i][1])]
        reactivate = [i for i in to_win if not stored[i][1] or stored[i][2]]
        if reactivate:
            self.browse(reactivate).write({"active": True, "on_hold": False})
        by_team = defaultdict(list)
        for lead_id in to_win:
            by_team[stored[lead_id][3]].append(lead_id)
        for lead_ids in by_team.values():
            # Odoo's action_set_won(), for a whole team at once.
            leads = self.browse(lead_ids)
            stage = leads[:1]._stage_find(
                domain=[("probability", "=", 100.0), ("on_change", "=", True)])
            leads.write({"stage_id": stage.id, "probability": 100})
        to_lose = [i for i in wanted["lost"] if i in stored and (stored[i][1] or stored[i][0])]
        if to_lose:
            self.browse(to_lose).write({"active": False, "probability": 0, "on_hold": False})
        for status in OPEN_STATUSES:
            for lead in self.browse(wanted[status]):
                lead._reopen_as(on_hold=status == "hold")

    def _reopen_as(self, on_hold):
        """Bring a lead back in the pipeline, open or on hold, leaving won/lost semantics."""
        self.ensure_one()
        vals = {"on_hold": on_hold}
        if not self.active:
            vals["active"] = True
        if self.probability >= 100 or not self.active:
            stage = self.stage_before_close_id or self.stage_id
            if stage.probability >= 100:
                stage = self._stage_find(domain=[("probability", "<", 100)])
            if stage != self.stage_id:
                vals["stage_id"] = stage.id
            vals["probability"] = (self.probability_tag_id.percentage
                                   if self.probability_tag_id else stage.probability)
            if vals["probability"] >= 100:
                vals["probability"] = 0
            vals["lost_reason"] = False
        self.write(vals)

    def _cache_columns(self, names):
        """Read just these columns of the stored leads into the cache. crm's day counters read
        their dates lead by lead, which made the ORM fetch every column of every lead being
        recomputed (most of the time of a bulk close)."""
        stored = self.browse([i for i in self.ids if isinstance(i, int)])
        if len(stored) > 1:
            stored.read(names, load="_classic_write")

    @api.depends("date_open")
    def _compute_day_open(self):
        self._cache_columns(["date_open", "create_date"])
        return super(CrmLead, self)._compute_day_open()

    @api.depends("date_closed")
    def _compute_day_close(self):
        self._cache_columns(["date_closed", "create_date"])
        return super(CrmLead, self)._compute_day_close()

    @api.depends("mission_ids")
    def _compute_mission_count(self):
        for lead in self:
            lead.mission_count = len(lead.mission_ids)

    @api.depends("project_ids")
    def _compute_project_count(self):
        for lead in self:
            lead.project_count = len(lead.project_ids)

    def _compute_attachment_count(self):
        counts = dict((row["res_id"], row["res_id_count"]) for row in self.env[
            "ir.attachment"].read_group([("res_model", "=", "crm.lead"),
                                         ("res_id", "in", self.ids)], ["res_id"], ["res_id"]))
        for lead in self:
            lead.attachment_count = counts.get(lead.id, 0)

    @api.depends("invoice_ids", "purchase_ids")
    def _compute_document_counts(self):
        for lead in self:
            lead.invoice_count = len(lead.invoice_ids)
            lead.purchase_count = len(lead.purchase_ids)

    def _compute_drop_address(self):
        # As superuser: settings users may not read; only the address built from them is shown.
        params = self.env["ir.config_parameter"].sudo()
        alias = params.get_param("crm_opportunity_suite.drop_alias") or "opportunity"
        domain = params.get_param("mail.catchall.domain")
        for lead in self:
            lead.drop_address = lead.drop_token and domain and "%s+%s@%s" % (
                alias, lead.drop_token, domain)

    def _compute_link_html(self):
        templates = self.env["crm.link.template"].search([])
        for lead in self:
            lead.link_html = "".join(
                '<a href="%s" target="_blank" rel="noopener noreferrer" '
                'class="btn btn-default btn-sm o_cos_link">%s</a> ' % (
                    html_escape(template._render(lead)), html_escape(template.name))
                for template in templates)

    @staticmethod
    def _new_drop_token():
        return "".join(secrets.choice(TOKEN_CHARS) for _index in range(TOKEN_LENGTH))

    @api.model_cr
    def init(self):
        # Opportunities without a drop token, or with a token of an earlier version (shorter:
        # md5(random()) at install, 60 bits later): a new cryptographic token each. Their old
        # drop addresses stop working, which is the point.
        cr = self.env.cr
        # Fixed SQL; values are parameters.
        cr.execute("SELECT id FROM crm_lead WHERE drop_token IS NULL OR length(drop_token) < %s",
                   (TOKEN_LENGTH,))
        ids = [row[0] for row in cr.fetchall()]
        for chunk in range(0, len(ids), NOTES_BATCH):
            part = ids[chunk:chunk + NOTES_BATCH]
            # Only the number of row placeholders is formatted in; ids and tokens are parameters.
            cr.execute("UPDATE crm_lead SET drop_token = v.token FROM (VALUES %s) AS v(id, token) "
                       "WHERE crm_lead.id = v.id" % ",".join(["(%s, %s)"] * len(part)),
                       [value for lead_id in part for value in (lead_id,
                                                                self._new_drop_token())])

    def _compute_track_id(self):
        for lead in self:
            lead.track_id = False
            lead.track_end_date = False

    @api.depends("line_ids")
    def _compute_has_lines(self):
        for lead in self:
            lead.has_lines = bool(lead.line_ids)

    @api.depends("line_ids.price_subtotal", "line_ids.price_tax", "line_ids.price_total")
    def _compute_amounts(self):
        for lead in self:
            lead.amount_untaxed = sum(lead.line_ids.mapped("price_subtotal"))
            lead.amount_tax = sum(lead.line_ids.mapped("price_tax"))
            lead.amount_total = sum(lead.line_ids.mapped("price_total"))

    def _revenue_from_lines(self):
        """Untaxed total of the lines in the company currency (Odoo's expected revenue)."""
        self.ensure_one()
        company_currency = self.company_id.currency_id or self.env.user.company_id.currency_id
        amount = sum(self.line_ids.mapped("price_subtotal"))
        if self.currency_id and self.currency_id != company_currency:
            amount = self.currency_id.with_context(date=fields.Date.context_today(self)).compute(
                amount, company_currency)
        return amount

    def _sync_revenue_from_lines(self):
        for lead in self.exists():
            revenue = lead._revenue_from_lines()
            if lead.planned_revenue != revenue:
                lead.planned_revenue = revenue

    @api.constrains("partner_id", "contact_id")
    def _check_contact_id(self):
        for lead in self:
            if lead.contact_id and lead.partner_id and \
                    lead.contact_id.commercial_partner_id != lead.partner_id.commercial_partner_id:
                raise ValidationError(_(
                    "The contact person %s does not belong to the customer %s.")
                    % (lead.contact_id.display_name, lead.partner_id.display_name))

    @api.constrains("line_ids", "type")
    def _check_line_required(self):
        for lead in self:
            if lead.type == "opportunity" and not lead.line_ids and \
                    lead.company_id.crm_lead_line_required:
                raise ValidationError(_(
                    "The opportunity \"%s\" needs at least one item line: your company requires "
                    "one (CRM settings).") % lead.name)

    @api.onchange("probability_tag_id")
    def _onchange_probability_tag_id(self):
        if self.probability_tag_id and self.status in OPEN_STATUSES:
            self.probability = self.probability_tag_id.percentage

    @api.onchange("line_ids", "currency_id")
    def _onchange_line_ids_revenue(self):
        if self.line_ids:
            self.planned_revenue = self._revenue_from_lines()

    @api.onchange("partner_id")
    def _onchange_partner_id_contact(self):
        if self.contact_id and (
                not self.partner_id or self.contact_id.commercial_partner_id !=
                self.partner_id.commercial_partner_id):
            self.contact_id = False
        if self.partner_id and not self.partner_id.is_company and not self.contact_id:
            self.contact_id = self.partner_id

    def _check_internal_fields(self, vals):
        """Refuse the fields only the addon's own code writes (trash, drop token, stage
        before closing), whoever the caller is: the screens never send them."""
        given = [name for name in INTERNAL_FIELDS if name in vals]
        if given and not guard.allowed(guard.TRASH):
            raise AccessError(_("These fields are written by the application only: "
                                "%(fields)s.") % {"fields": ", ".join(given)})

    def _check_bulk_close(self, vals):
        """Closing several opportunities at once (won, lost, archived) is the sales managers'
        bulk close, whatever the way (status, probability, active, a won stage, crm's Mark
        Won/Lost, the list's Archive)."""
        if len(self) < 2 or self.env.uid == SUPERUSER_ID or guard.allowed(guard.CLOSE):
            return
        closes = self._closes(vals)
        if not closes and vals.get("stage_id"):
            closes = self.env["crm.stage"].browse(vals["stage_id"]).probability >= 100
        if closes and not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(_("Only sales managers may close several opportunities at once."))

    @api.model
    def create(self, vals):
        self._check_internal_fields(vals)
        if not vals.get("reference"):
            vals["reference"] = self.env["ir.sequence"].next_by_code("crm.lead.reference")
        if vals.get("probability_tag_id") and "probability" not in vals:
            vals["probability"] = self.env["crm.probability.tag"].browse(
                vals["probability_tag_id"]).percentage
        vals = dict(vals, drop_token=self._new_drop_token())
        track = self.env["crm.track"].browse(vals.pop("track_id", False) or [])
        end_date = vals.pop("track_end_date", False) or vals.get("date_deadline")
        if track and not end_date:
            raise UserError(_("Give the end date of the track \"%s\" (or a due date).")
                            % track.name)
        lead = super().create(vals)
        lead._check_custom_fields_required()
        if track:
            lead.apply_track(track, end_date)
        return lead

    @api.multi
    def write(self, vals):
        self._check_internal_fields(vals)
        self._check_bulk_close(vals)
        if self._closes(vals):
            # Where a reopened opportunity goes back to; kept for the leads still open. Fixed
            # SQL, values as parameters; super().write() below checks the access, and its
            # refusal rolls this back with the transaction.
            self.env.cr.execute(
                "UPDATE crm_lead SET stage_before_close_id = stage_id WHERE id IN %s "
                "AND status IN %s", (tuple(self.ids), OPEN_STATUSES))
            self.invalidate_cache(["stage_before_close_id"], self.ids)
        by_probability = self._probabilities_from_tags(vals)
        if by_probability:
            rest = self
            for probability, leads in by_probability.items():
                super(CrmLead, leads).write(dict(vals, probability=probability))
                rest -= leads
            if rest:
                super(CrmLead, rest).write(vals)
        else:
            super().write(vals)
        if "type" in vals or any(name in vals for name in self._custom_field_names()):
            self._check_custom_fields_required()
        return True

    @api.multi
    def action_set_won(self):
        # crm writes lead by lead: checked for the whole set first.
        self._check_bulk_close({"probability": 100})
        return super().action_set_won()

    @api.multi
    def toggle_active(self):
        # Odoo writes record by record (the list's Archive): checked for the whole set first.
        if any(self.mapped("active")):
            self._check_bulk_close({"active": False})
        return super().toggle_active()

    @staticmethod
    def _closes(vals):
        return vals.get("status") in ("won", "lost") or vals.get("probability", 0) >= 100 or \
            ("active" in vals and not vals["active"])

    def _probabilities_from_tags(self, vals):
        """Group the open leads of this write by the probability their probability tag imposes.

        Choosing a tag sets the probability; moving an open lead that carries a tag to another
        non-won stage keeps the tag's probability instead of the stage's.
        """
        if "probability" in vals or not (vals.get("probability_tag_id") or vals.get("stage_id")):
            return {}
        # read() of two columns: on thousands of leads (imports), filtering on fields would
        # load every column of every record.
        rows = self.read(["status", "probability_tag_id"], load="_classic_write")
        open_ids = [row["id"] for row in rows if row["status"] in OPEN_STATUSES]
        if vals.get("probability_tag_id"):
            tag = self.env["crm.probability.tag"].browse(vals["probability_tag_id"])
            return {tag.percentage: self.browse(open_ids)} if open_ids else {}
        if self.env["crm.stage"].browse(vals["stage_id"]).probability >= 100:
            return {}
        percentages = {tag.id: tag.percentage for tag in self.env["crm.probability.tag"].search(
            [("id", "in", [row["probability_tag_id"] for row in rows])])}
        groups = defaultdict(list)
        for row in rows:
            if row["status"] in OPEN_STATUSES and row["probability_tag_id"]:
                groups[percentages[row["probability_tag_id"]]].append(row["id"])
        return {percentage: self.browse(ids) for percentage, ids in groups.items()}

    def _custom_field_names(self):
        # As superuser: not every user who writes opportunities may read the definitions
        # (mail gateway, missions); only their field names are used.
        return self.env["crm.lead.custom.field"].sudo()._field_names()

    def _check_custom_fields_required(self):
        """Mandatory custom fields must hold a value on opportunities (checked in SQL: an
        unset number reads as 0 through the ORM but is NULL in the table)."""
        # As superuser (see _custom_field_names): only which fields are mandatory is used; the
        # values are checked on the opportunities being saved.
        definitions = self.env["crm.lead.custom.field"].sudo().search(
            [("required", "=", True), ("field_name", "!=", False)])
        opportunities = self.filtered(lambda l: l.type == "opportunity")
        if not definitions or not opportunities:
            return
        # As superuser: the cached names of the fields the definitions own.
        valid = set(self.env["crm.lead.custom.field"].sudo()._field_names())
        for definition in definitions:
            if definition.field_name not in valid:
                continue
            # The column is one of the custom fields' own (x_cos_*, checked): quoted as an
            # identifier all the same. The ids are a parameter.
            column = sql.Identifier(definition.field_name)
            empty = sql.SQL("{} IS NULL").format(column)
            if definition.field_type == "char":
                empty = sql.SQL("({0} IS NULL OR trim({0}) = '')").format(column)
            self.env.cr.execute(sql.SQL(
                "SELECT name FROM crm_lead WHERE id IN %s AND {} ORDER BY id LIMIT 1").format(
                    empty), (tuple(opportunities.ids),))
            row = self.env.cr.fetchone()
            if row:
                raise ValidationError(_(
                    "The field \"%s\" is mandatory: fill it in on the opportunity \"%s\".")
                    % (definition.name, row[0]))

    @api.model
    def _name_search(self, name, args=None, operator="ilike", limit=100, name_get_uid=None):
        if name and operator in ("ilike", "like", "=", "=like", "=ilike"):
            args = expression.AND([args or [], [
                "|", ("reference", operator, name), ("name", operator, name)]])
            name, operator = "", "ilike"
        return super()._name_search(
            name, args=args, operator=operator, limit=limit, name_get_uid=name_get_uid)

    def _check_export_allowed(self):
        if not self.env.user.has_group("crm_opportunity_suite.group_crm_export"):
            raise AccessError(_(
                "You are not allowed to export opportunities: ask your administrator for the "
                "\"Allowed to export records\" permission."))

    def _spreadsheet_headers(self):
        """Column headers of the opportunity spreadsheet, in the user's language; the import
        recognises them in English and French (lib/spreadsheet.COLUMN_ALIASES)."""
        headers = [
            ("id", _("Opportunity ID")),
            ("reference", _("Reference")),
            ("name", _("Opportunity")),
            ("customer", _("Customer")),
            ("contact", _("Contact")),
            ("contact_id", _("Contact ID")),
            ("pipeline", _("Pipeline")),
            ("stage", _("Stage")),
            ("milestone", _("Milestone")),
            ("lost_reason", _("Lost reason")),
            ("expected_revenue", _("Expected value")),
            ("currency", _("Currency")),
            ("probability", _("Probability")),
            ("probability_tag", _("Probability tag")),
            ("tags", _("Tags")),
            ("owner", _("Owner")),
            ("due_date", _("Due date")),
        ]
        # As superuser: only the custom fields' names and labels; their values are read with
        # the user's rights.
        definitions = self.env["crm.lead.custom.field"].sudo().search([("field_name", "!=", False)])
        headers += [("custom:%s" % d.field_name, d.name) for d in definitions]
        return headers

    def _spreadsheet_rows(self):
        """(headers, rows) of these opportunities, typed for the spreadsheet writers."""
        self._check_export_allowed()
        columns = self._spreadsheet_headers()
        milestones = dict(self._fields["status"]._description_selection(self.env))
        # Per custom field: its type and, for lists, the label of each stored value. As
        # superuser: only definitions; the values are read with the user's rights.
        custom = {
            d.field_name: (d.field_type, {o.value: o.name for o in d.option_ids})
            for d in self.env["crm.lead.custom.field"].sudo().search(
                [("field_name", "in", [key[7:] for key, _label in columns
                                       if key.startswith("custom:")])])}
        rows = []
        for lead in self.with_context(active_test=False):
            values = {
                "id": lead.id,
                "reference": lead.reference,
                "name": lead.name,
                "customer": lead.partner_id.display_name or "",
                "contact": lead.contact_id.name or "",
                "contact_id": lead.contact_id.id or None,
                "pipeline": lead.team_id.name or "",
                "stage": lead.stage_id.name or "",
                "milestone": milestones.get(lead.status, ""),
                "lost_reason": lead.lost_reason.name or "",
                "expected_revenue": lead.planned_revenue,
                "currency": lead.company_currency.name or "",
                "probability": lead.probability,
                "probability_tag": lead.probability_tag_id.name or "",
                "tags": ", ".join(lead.tag_ids.mapped("name")),
                "owner": lead.user_id.name or "",
                "due_date": fields.Date.from_string(lead.date_deadline),
            }
            for name, (field_type, option_labels) in custom.items():
                value = lead[name]
                if field_type == "selection":
                    value = option_labels.get(value, "")
                elif field_type == "date":
                    value = fields.Date.from_string(value)
                elif field_type == "boolean":
                    value = bool(value)
                values["custom:" + name] = value
            rows.append([values[key] for key, _label in columns])
        return [label for _key, label in columns], rows

    def _export_spreadsheet(self, file_format):
        """(file name, content) of these opportunities as CSV or .xlsx."""
        headers, rows = self._spreadsheet_rows()
        stamp = fields.Date.context_today(self)
        if file_format == "xlsx":
            return "opportunities-%s.xlsx" % stamp, spreadsheet.write_xlsx(headers, rows)
        return "opportunities-%s.csv" % stamp, spreadsheet.write_csv(headers, rows)

    @api.multi
    def action_put_on_hold(self):
        self.write({"status": "hold"})

    @api.multi
    def action_resume(self):
        self.write({"status": "open"})

    # ------------------------------------------------------------------ chatter in bulk

    def _post_bulk_notes(self, bodies):
        """One internal note per opportunity ({lead id: HTML body}), inserted in one statement
        per batch: message_post() per record (notifications to nobody included) took most of
        the time of bulk operations on thousands of opportunities."""
        if not bodies:
            return
        subtype = self.env.ref("mail.mt_note")
        author = self.env.user.partner_id
        email_from = author.email and "%s <%s>" % (author.name, author.email) or False
        ids = list(bodies)
        # Fixed SQL; ids are a parameter. Callers pass opportunities they checked or wrote.
        self.env.cr.execute("SELECT id, name FROM crm_lead WHERE id IN %s", (tuple(ids),))
        names = dict(self.env.cr.fetchall())
        for chunk in range(0, len(ids), NOTES_BATCH):
            part = ids[chunk:chunk + NOTES_BATCH]
            rows = ",".join(["('crm.lead', %s, %s, 'notification', %s, %s, %s, "
                             "now() AT TIME ZONE 'UTC', %s, %s, %s, now() AT TIME ZONE 'UTC', "
                             "now() AT TIME ZONE 'UTC')"] * len(part))
            params = []
            for lead_id in part:
                params += [lead_id, bodies[lead_id], subtype.id, author.id, email_from,
                           names.get(lead_id), self.env.uid, self.env.uid]
            # Only the number of row placeholders is formatted in; every value is a parameter.
            self.env.cr.execute(
                "INSERT INTO mail_message (model, res_id, body, message_type, subtype_id, "
                "author_id, email_from, date, record_name, create_uid, write_uid, create_date, "
                "write_date) VALUES " + rows, params)
        self.browse(ids).invalidate_cache(["message_ids"])

    # ------------------------------------------------------------------ mail

    @api.model
    def _drop_address_routes(self, message, message_dict):
        """Routes of a mail sent to drop addresses, or None when it is sent to none. An
        unknown token bounces; a sender who is neither a user nor one of the opportunity's
        contacts bounces or waits in the review list (setting)."""
        # As superuser: settings the mail gateway's user may not read.
        params = self.env["ir.config_parameter"].sudo()
        alias = (params.get_param("crm_opportunity_suite.drop_alias") or "opportunity").lower()
        recipients = ",".join(tools.decode_message_header(message, header) for header in (
            "Delivered-To", "To", "Cc", "Resent-To", "Resent-Cc"))
        tokens = []
        for address in tools.email_split(recipients):
            local = address.split("@")[0].lower()
            if local.startswith(alias + "+") and len(local) > len(alias) + 1:
                tokens.append(local[len(alias) + 1:])
        if not tokens:
            return None
        Thread = self.env["mail.thread"]
        email_from = tools.decode_message_header(message, "From")
        # Looked up as superuser: the mail gateway's user may not see the opportunity (its
        # token is the secret that grants the right to write to it).
        leads = self.sudo().with_context(active_test=False).search([("drop_token", "in", tokens)])
        automatic = is_automatic_mail(message, email_from)
        if not leads:
            if automatic:  # never answer an auto-reply or a bounce: mail loops, backscatter
                return []
            Thread._routing_create_bounce_email(email_from, _(
                "<p>Your mail was not delivered: %s is not the address of an opportunity.</p>")
                % html_escape(", ".join("%s+%s" % (alias, token) for token in tokens)), message)
            return []
        policy = params.get_param("crm_opportunity_suite.drop_unknown_sender") or "review"
        routes = []
        for lead in leads:
            if not self.env.context.get("cos_drop_accept") and \
                    not lead._drop_sender_allowed(email_from):
                if automatic:
                    continue
                if policy == "bounce" or not self.env["crm.lead.mail.review"]._fits(message):
                    Thread._routing_create_bounce_email(email_from, _(
                        "<p>Your mail was not delivered: only our users and the contacts of "
                        "this opportunity may write to this address.</p>"), message)
                else:
                    self.env["crm.lead.mail.review"]._hold(lead, message, message_dict)
                continue
            route = Thread.message_route_verify(
                message, message_dict, ("crm.lead", lead.id, {}, self.env.uid, None),
                update_author=True, assert_model=True, create_fallback=False)
            if route:
                routes.append(route)
        return routes

    def _drop_sender_allowed(self, email_from):
        """Whether mail from this sender may be stored on the opportunity: one of our users,
        or one of its contacts (customer, its people, the contact person, the lead's
        e-mail)."""
        self.ensure_one()
        emails = [email.lower() for email in tools.email_split(email_from)]
        if not emails:
            return False
        # Whole addresses compared: "b@x.com" is not "bob@x.com".
        lead_emails = {email.lower() for email in tools.email_split(self.email_from or "")}
        if lead_emails.intersection(emails):
            return True
        # Fixed SQL; the addresses are a parameter. As superuser below: the partners and users
        # found are only compared with the sender; nothing of them is returned.
        self.env.cr.execute("SELECT id FROM res_partner WHERE lower(email) IN %s",
                            (tuple(emails),))
        partners = self.env["res.partner"].sudo().browse([row[0] for row in
                                                          self.env.cr.fetchall()])
        if self.env["res.users"].sudo().search_count(
                [("partner_id", "in", partners.ids), ("share", "=", False)]):
            return True
        customer = self.partner_id.commercial_partner_id
        return any(partner == self.contact_id or (
            customer and partner.commercial_partner_id == customer) for partner in partners)

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A new opportunity from a mail (a sales team's alias, e.g. opportunity@): linked to
        the external party of the conversation, created as a contact when unknown. A user
        forwarding a customer's mail links the customer, not the user."""
        author = self.env["res.partner"].browse(msg_dict.get("author_id") or [])
        email_from = msg_dict.get("from") or msg_dict.get("email_from") or ""
        # As superuser: only whether the author is an internal user is used.
        is_user = bool(author and self.env["res.users"].sudo().search_count(
            [("partner_id", "=", author.id), ("share", "=", False)]))
        if is_user:
            original = self._forwarded_sender(msg_dict.get("body") or "", author)
            if original:
                email_from = original
                author = self.env["res.partner"].browse()
        # Through the alias of a sales team that asks for it (the alias defaults name the
        # team): the external party is created as a contact when unknown. Otherwise crm's
        # behaviour: no partner created.
        team = self.env["crm.team"].browse((custom_values or {}).get("team_id") or [])
        if not author and email_from and team.create_sender_contact:
            author = self._partner_for(email_from)
        if author:
            msg_dict = dict(msg_dict, author_id=author.id, **({"from": email_from}
                                                              if is_user else {}))
        return super().message_new(msg_dict, custom_values=custom_values)

    @api.model
    def _forwarded_sender(self, body, forwarder):
        """The "From:" of the mail a user forwarded (in the forwarded part of the body), if it
        is not the user."""
        # Not html2plaintext: it drops "<name@domain>" of a plain-text mail as an HTML tag.
        text = re.sub(r"<(?:br|/p|/div|/li|/tr)\b[^>]*>", "\n", body, flags=re.IGNORECASE)
        text = html_unescape(re.sub(r"<[^>@]*>", "", text))
        for line in FORWARDED_FROM.findall(text):
            name, email = self.env["res.partner"]._parse_partner_name(line.strip())
            if not email or (forwarder.email and forwarder.email.lower() == email.lower()):
                continue
            return "%s <%s>" % (name, email) if name and name != email else email
        return False

    @api.model
    def _partner_for(self, email_from):
        """The contact with this e-mail address, created when unknown."""
        emails = tools.email_split(email_from)
        if not emails:
            return self.env["res.partner"]
        # Fixed SQL; the address is a parameter.
        self.env.cr.execute("SELECT id FROM res_partner WHERE lower(email) = %s AND active "
                            "ORDER BY id LIMIT 1", (emails[0].lower(),))
        row = self.env.cr.fetchone()
        if row:
            return self.env["res.partner"].browse(row[0])
        name, email = self.env["res.partner"]._parse_partner_name(email_from)
        # As superuser: the mail gateway's user may not create contacts; only the sender's
        # name and address are set. Over RPC (message_new), a user who may not create the
        # opportunity is refused after this, and the contact is rolled back with it.
        return self.env["res.partner"].sudo().create({"name": name or email, "email": email})

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

    # ------------------------------------------------------------------ tracks

    @api.multi
    def apply_track(self, track, end_date):
        """Apply a track to these opportunities: its tasks are due the given number of working
        days before end_date. Refused when one of them already runs this track."""
        track._check_applicable()
        if not end_date:
            raise UserError(_("Give the end date of the track \"%s\".") % track.name)
        self.check_access_rights("write")
        self.check_access_rule("write")
        running = self.env["crm.lead.track"].search([
            ("lead_id", "in", self.ids), ("track_id", "=", track.id), ("state", "=", "active")])
        if running:
            raise UserError(_(
                "The track \"%s\" is already in progress on %s: complete or remove it first.")
                % (track.name, ", ".join(running.mapped("lead_id.display_name"))))
        end = fields.Date.from_string(end_date)
        templates = track.task_ids.sorted(lambda t: (t.sequence, t.id))
        default_company = self.env.user.company_id
        deadlines = {}  # due dates of the templates per working calendar
        rows = self.read(["company_id", "user_id"], load="_classic_write")
        # As superuser: write access to these opportunities was checked above; the applied
        # tracks and their tasks are the addon's bookkeeping for them.
        applied = bulk.insert_records(self.env["crm.lead.track"].sudo(), [{
            "lead_id": row["id"], "track_id": track.id, "end_date": end_date} for row in rows])
        task_vals = []
        for row, applied_track in zip(rows, applied):
            calendar = (self.env["res.company"].browse(row["company_id"]) if row["company_id"]
                        else default_company).resource_calendar_id
            if calendar.id not in deadlines:
                cache = {}
                deadlines[calendar.id] = [fields.Date.to_string(applied._working_day_before(
                    calendar, end, template.offset_days, cache)) for template in templates]
            for index, template in enumerate(templates):
                task_vals.append({
                    "lead_track_id": applied_track.id,
                    "lead_id": row["id"],
                    "sequence": index,
                    "activity_type_id": template.activity_type_id.id,
                    "summary": template.summary or template.activity_type_id.summary,
                    "note": template.note,
                    "user_id": template.user_id.id if template.assignee == "user" else (
                        row["user_id"] or self.env.uid),
                    "date_deadline": deadlines[calendar.id][index],
                })
        # As superuser: see the applied tracks above.
        bulk.insert_records(self.env["crm.lead.track.task"].sudo(), task_vals)
        applied._release()
        body = _("<p>Track \"%s\" applied, to be completed by %s.</p>") % (
            html_escape(track.name), html_escape(end_date))
        self._post_bulk_notes({lead.id: body for lead in self})
        return applied

    # ------------------------------------------------------------------ missions, projects

    @api.multi
    def action_new_mission(self):
        """A mission form pre-filled from the opportunity (customer, contact, owner)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("New mission"),
            "res_model": "project.task",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {
                "default_is_mission": True,
                "default_opportunity_id": self.id,
                "default_project_id": self.env.ref("crm_opportunity_suite.project_missions").id,
                "default_partner_id": self.partner_id.id,
                "default_contact_id": self.contact_id.id,
                "default_user_id": self.user_id.id or self.env.uid,
                "default_name": self.name,
            },
        }

    @api.multi
    def link_mission(self, reference):
        """Link the existing mission (or task) with this reference to this opportunity."""
        self.ensure_one()
        self.check_access_rule("write")
        task = self.env["project.task"]._find_by_reference(reference)
        if task.opportunity_id == self:
            raise UserError(_("The mission %s is already linked to this opportunity.")
                            % task.code)
        if task.opportunity_id:
            raise UserError(_("The mission %s is already linked to the opportunity %s.")
                            % (task.code, task.opportunity_id.display_name))
        task.write({"opportunity_id": self.id, "is_mission": True})
        self._post_bulk_notes({self.id: _("<p>Mission %s linked.</p>") % html_escape(
            task.display_name)})
        return task

    @api.multi
    def link_project(self, project=None, name=None):
        """Link an existing project, or a new one named ``name``, to this opportunity."""
        self.ensure_one()
        self.check_access_rights("write")
        self.check_access_rule("write")
        if project:
            if project.opportunity_id and project.opportunity_id != self:
                raise UserError(_("The project \"%s\" is already linked to the opportunity %s.")
                                % (project.name, project.opportunity_id.display_name))
            project.opportunity_id = self
        else:
            if not (name or "").strip():
                raise UserError(_("Give the new project a name."))
            project = self.env["project.project"].create({
                "name": name.strip(), "partner_id": self.partner_id.id,
                "opportunity_id": self.id})
        self._post_bulk_notes({self.id: _("<p>Project \"%s\" linked.</p>") % html_escape(
            project.name)})
        return project

    # ------------------------------------------------------------------ documents

    @api.multi
    def create_document(self, kind, vendor=None):
        """A draft quote, customer invoice or purchase order (``kind``: quote, invoice,
        purchase) filled from the item lines, in the opportunity's currency and linked to it;
        free-text items become description lines."""
        self.ensure_one()
        self.check_access_rule("write")
        if not self.line_ids:
            raise UserError(_("Add items to the opportunity first: the document is filled "
                              "from them."))
        if kind in ("quote", "invoice") and not self.partner_id:
            raise UserError(_("Choose the customer of the opportunity first."))
        if kind == "purchase" and not vendor:
            raise UserError(_("Choose the vendor of the purchase order."))
        text_product = self.env.ref("crm_opportunity_suite.product_text_line")
        builders = {"quote": self._quote_values, "invoice": self._invoice_values,
                    "purchase": self._purchase_values}
        if kind not in builders:
            raise UserError(_("Unknown kind of document: %s.") % kind)
        model, vals = builders[kind](text_product, vendor)
        document = self.env[model].create(vals)
        self._post_bulk_notes({self.id: _("<p>%s created from the items.</p>") % html_escape(
            document.display_name)})
        return document

    @api.multi
    def action_view_documents(self):
        """Smart buttons: the opportunity's invoices, purchase orders or missions."""
        self.ensure_one()
        model = self.env.context.get("cos_documents")
        records = {"account.invoice": self.invoice_ids, "purchase.order": self.purchase_ids,
                   "project.task": self.mission_ids}[model]
        return {
            "type": "ir.actions.act_window",
            "name": records._description,
            "res_model": model,
            "view_mode": "tree,form",
            "domain": [("id", "in", records.ids)],
            "context": {"default_opportunity_id": self.id},
        }

    @api.multi
    def action_download_attachments(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "target": "self",
            "url": "/crm_opportunity_suite/opportunity/%d/attachments.zip" % self.id,
        }

    @api.multi
    def action_view_attachments(self):
        """The files of the opportunity, with who may see each of them."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Files"),
            "res_model": "ir.attachment",
            "view_mode": "tree,form",
            "views": [(self.env.ref("crm_opportunity_suite.ir_attachment_view_tree_visibility").id,
                       "tree"), (False, "form")],
            "domain": [("res_model", "=", "crm.lead"), ("res_id", "=", self.id)],
            "context": {"default_res_model": "crm.lead", "default_res_id": self.id},
        }

    def _attachments_zip(self):
        """(file name, open temporary file holding the zip) of the files of this opportunity
        the user may see; names made safe and unique ("a.pdf", "a (2).pdf"). Files are copied
        one at a time from the filestore (or the database) into a temporary file: loading
        them through the ORM loaded every file's content at once."""
        self.ensure_one()
        self.check_access_rights("read")
        self.check_access_rule("read")
        # search() applies the files' visibility rules for this user.
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", self.id)], order="id")
        handle = tempfile.TemporaryFile()
        used = set()
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            # The paths of the files the rules let through, read as superuser: the access
            # was checked by the search above.
            rows = attachments.sudo().with_context(prefetch_fields=False).read(
                ["datas_fname", "name", "store_fname"])
            for row in rows:
                name = safe_file_name(row["datas_fname"] or row["name"])
                stem, dot, extension = name.rpartition(".")
                if not dot:
                    stem, extension = name, ""
                unique, number = name, 1
                while unique.lower() in used:
                    number += 1
                    unique = "%s (%d)%s" % (stem, number, dot + extension)
                used.add(unique.lower())
                self._zip_attachment(archive, unique, row)
        handle.seek(0)
        return "%s-files.zip" % (self.reference or self.id), handle

    def _zip_attachment(self, archive, name, row):
        Attachment = self.env["ir.attachment"]
        if row["store_fname"]:
            path = Attachment._full_path(row["store_fname"])
            if os.path.isfile(path):
                archive.write(path, name)
                return
        # Stored in the database: this one file's bytes. Fixed SQL; the ID is a parameter, of
        # a file the user's search found (_attachments_zip).
        self.env.cr.execute("SELECT db_datas FROM ir_attachment WHERE id = %s", (row["id"],))
        data = self.env.cr.fetchone()[0]
        archive.writestr(name, bytes(data) if data else b"")

    def _quote_values(self, text_product, _vendor):
        Pricelist = self.env["product.pricelist"]
        pricelist = Pricelist.search([("currency_id", "=", self.currency_id.id)], limit=1)
        if not pricelist:
            pricelist = Pricelist.create({"name": _("Opportunities (%s)") % self.currency_id.name,
                                          "currency_id": self.currency_id.id})
        lines = []
        for line in self.line_ids:
            product = line.product_id or text_product
            lines.append((0, 0, {
                "product_id": product.id,
                "name": line.name,
                "product_uom_qty": line.quantity,
                "product_uom": product.uom_id.id,
                "price_unit": line.price_unit,
                "discount": line.discount,
                "tax_id": [(6, 0, line.tax_ids.ids)],
            }))
        return "sale.order", {
            "partner_id": self.partner_id.id,
            "opportunity_id": self.id,
            "team_id": self.team_id.id,
            "user_id": self.user_id.id or self.env.uid,
            "pricelist_id": pricelist.id,
            "payment_term_id": self.payment_term_id.id,
            "origin": self.reference,
            "validity_date": self.date_deadline,
            "order_line": lines,
        }

    def _invoice_values(self, text_product, _vendor):
        journal = self.env["account.invoice"].with_context(type="out_invoice")._default_journal()
        lines = []
        for line in self.line_ids:
            product = line.product_id
            account = (product.property_account_income_id or
                       product.categ_id.property_account_income_categ_id or
                       journal.default_credit_account_id)
            lines.append((0, 0, {
                "product_id": product.id,
                "name": line.name,
                "quantity": line.quantity,
                "uom_id": product.uom_id.id,
                "price_unit": line.price_unit,
                "discount": line.discount,
                "invoice_line_tax_ids": [(6, 0, line.tax_ids.ids)],
                "account_id": account.id,
            }))
        return "account.invoice", {
            "type": "out_invoice",
            "partner_id": self.partner_id.id,
            "opportunity_id": self.id,
            "team_id": self.team_id.id,
            "user_id": self.user_id.id or self.env.uid,
            "currency_id": self.currency_id.id,
            "journal_id": journal.id,
            "payment_term_id": self.payment_term_id.id,
            "origin": self.reference,
            "invoice_line_ids": lines,
        }

    def _purchase_values(self, text_product, vendor):
        now = fields.Datetime.now()
        lines = []
        for line in self.line_ids:
            product = line.product_id or text_product
            # Purchase order lines of Odoo 11 have no discount: the unit price carries it.
            lines.append((0, 0, {
                "product_id": product.id,
                "name": line.name,
                "product_qty": line.quantity,
                "product_uom": product.uom_po_id.id or product.uom_id.id,
                "price_unit": line.price_unit * (1 - (line.discount or 0.0) / 100.0),
                "taxes_id": [(6, 0, product.supplier_taxes_id.ids)],
                "date_planned": now,
            }))
        return "purchase.order", {
            "partner_id": vendor.id,
            "opportunity_id": self.id,
            "currency_id": self.currency_id.id,
            "origin": self.reference,
            "order_line": lines,
        }

    # ------------------------------------------------------------------ lifecycle

    @api.multi
    def duplicate_as(self, name):
        """A new opportunity like this one (customer, contact, pipeline, stage, expected value,
        payment terms, currency, items, tags, probability tag), without its tasks, documents
        or messages."""
        self.ensure_one()
        if not (name or "").strip():
            raise UserError(_("Give the new opportunity a name."))
        lines = []
        for line in self.line_ids:
            values = line.copy_data()[0]
            values.pop("lead_id", None)
            lines.append((0, 0, values))
        vals = {
            "name": name.strip(),
            "type": "opportunity",
            "partner_id": self.partner_id.id,
            "contact_id": self.contact_id.id,
            "team_id": self.team_id.id,
            "stage_id": self.stage_id.id,
            "planned_revenue": self.planned_revenue,
            "probability": (self.probability_tag_id.percentage if self.probability_tag_id
                            else self.stage_id.probability),
            "payment_term_id": self.payment_term_id.id,
            "currency_id": self.currency_id.id,
            "tag_ids": [(6, 0, self.tag_ids.ids)],
            "probability_tag_id": self.probability_tag_id.id,
            "line_ids": lines,
        }
        copy = self.create(vals)
        copy._post_bulk_notes({copy.id: _("<p>Copied from %s (%s).</p>") % (
            html_escape(self.reference or ""), html_escape(self.name))})
        return copy

    @api.multi
    def action_reopen(self):
        """Reopen won or lost opportunities at the stage they had before closing."""
        closed = self.with_context(active_test=False).filtered(
            lambda l: l.status in ("won", "lost"))
        if not closed:
            raise UserError(_("Only won or lost opportunities can be reopened."))
        closed.write({"status": "open"})
        self._post_bulk_notes({lead.id: _("<p>Reopened at the stage %s.</p>") % html_escape(
            lead.stage_id.name or "") for lead in closed})
        return True

    @api.multi
    def action_close(self, won, lost_reason=False):
        """Close these opportunities as won or lost (with a lost reason) in one go: sales
        managers only; all or nothing; one chatter line per opportunity."""
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(_("Only sales managers may close opportunities in bulk."))
        reason = self.env["crm.lost.reason"].browse(
            lost_reason.id if hasattr(lost_reason, "ids") else lost_reason or [])
        if not won and not reason:
            raise UserError(_("Give the lost reason of the opportunities closed as lost."))
        status = "won" if won else "lost"
        leads = self.with_context(active_test=False, tracking_disable=True)
        # Fixed SQL; values are parameters. The write below checks the access to each lead.
        self.env.cr.execute("SELECT id FROM crm_lead WHERE id IN %s AND status != %s",
                            (tuple(self.ids) or (0,), status))
        to_close = leads.browse([row[0] for row in self.env.cr.fetchall()])
        vals = {"status": status}
        if not won:
            vals["lost_reason"] = reason.id
        if won:
            body = _("<p>Closed as won (bulk close).</p>")
        else:
            body = _("<p>Closed as lost (bulk close): %s.</p>") % html_escape(reason.name)
        try:
            with self.env.cr.savepoint():
                for chunk in range(0, len(to_close), CLOSE_BATCH):
                    to_close[chunk:chunk + CLOSE_BATCH].write(vals)
                self._post_bulk_notes({lead_id: body for lead_id in to_close.ids})
        except Exception:
            self.env.clear()  # the savepoint is rolled back: so must the cache be
            raise
        return len(to_close)

    @api.multi
    def merge_opportunity(self, user_id=False, team_id=False):
        """Merged opportunities live on in the head one: crm really deletes the others. Not
        those of the trash: restore them first (a merge must not empty the trash)."""
        # Access first: the answer below must not tell others what is in the trash.
        self.check_access_rights("write")
        self.check_access_rule("write")
        # Fixed SQL; the ids are a parameter.
        self.env.cr.execute("SELECT count(*) FROM crm_lead WHERE id IN %s "
                            "AND trash_date IS NOT NULL", (tuple(self.ids) or (0,),))
        if self.env.cr.fetchone()[0]:
            raise UserError(_("Opportunities in the trash cannot be merged: restore them "
                              "first."))
        with guard.internal(guard.PERMANENT_UNLINK):
            return super().merge_opportunity(user_id=user_id, team_id=team_id)

    # ------------------------------------------------------------------ trash

    @api.model
    def _where_calc(self, domain, active_test=True):
        # Trashed opportunities are left out of every search, count, read_group and name
        # search unless the domain asks for them (the Trash menu). Record rules call this with
        # active_test=False: they must still see them (restore, permanent deletion).
        if active_test and not any(isinstance(term, (list, tuple)) and term[0] == "trash_date"
                                   for term in domain or []):
            domain = [("trash_date", "=", False)] + list(domain or [])
        return super()._where_calc(domain, active_test)

    @api.multi
    def unlink(self):
        """Deleting moves to the trash (restorable by a sales manager for a while): anyone who
        may edit an opportunity deletes it, one at a time; several at once, or for good from
        the trash, sales managers only."""
        if guard.allowed(guard.PERMANENT_UNLINK):
            return self._unlink_for_good()
        manager = self.env.user.has_group("sales_team.group_sale_manager")
        if len(self) > 1 and not manager:
            raise AccessError(_("Only sales managers may delete several opportunities at once."))
        self.check_access_rights("write")
        self.check_access_rule("write")
        # Fixed SQL; the ids are a parameter. Write access checked just above.
        self.env.cr.execute("SELECT id FROM crm_lead WHERE id IN %s AND trash_date IS NOT NULL",
                            (tuple(self.ids) or (0,),))
        trashed = self.browse([row[0] for row in self.env.cr.fetchall()])
        if trashed:
            trashed.action_delete_permanently()
        (self - trashed)._move_to_trash()
        return True

    def _unlink_for_good(self):
        ids = self.ids
        result = super().unlink()
        # mail.thread deletes the messages it finds with the user's rights, and a trashed
        # opportunity's messages are not found (its document is out of every search): they
        # would stay behind. The opportunities are gone by now, deleted by a user allowed to.
        self.env["mail.message"].sudo().search(
            [("model", "=", self._name), ("res_id", "in", ids)]).unlink()
        return result

    def _move_to_trash(self):
        if not self:
            return
        # Fixed SQL; values are parameters. Callers checked write access (unlink, import undo).
        self.env.cr.execute("""
            UPDATE crm_lead SET active_before_trash = active, active = false,
                   trash_date = now() AT TIME ZONE 'UTC', trashed_by_id = %s,
                   write_uid = %s, write_date = now() AT TIME ZONE 'UTC'
            WHERE id IN %s""", (self.env.uid, self.env.uid, tuple(self.ids)))
        self.invalidate_cache(["active", "active_before_trash", "trash_date", "trashed_by_id",
                               "write_uid", "write_date"], self.ids)
        body = _("<p>Moved to the trash by %s.</p>") % html_escape(self.env.user.name)
        self._post_bulk_notes({lead_id: body for lead_id in self.ids})

    def _check_trash_manager(self):
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(_("Only sales managers may restore or delete opportunities of "
                                "the trash."))

    @api.multi
    def action_restore_from_trash(self):
        """Back from the trash with everything attached (items, activities, messages,
        documents never left)."""
        self._check_trash_manager()
        self.check_access_rule("write")
        # Fixed SQL; values are parameters. Sales manager and write access checked above.
        self.env.cr.execute("""
            UPDATE crm_lead SET active = coalesce(active_before_trash, true), trash_date = NULL,
                   trashed_by_id = NULL, active_before_trash = NULL, write_uid = %s,
                   write_date = now() AT TIME ZONE 'UTC'
            WHERE id IN %s AND trash_date IS NOT NULL RETURNING id""",
                            (self.env.uid, tuple(self.ids) or (0,)))
        restored = [row[0] for row in self.env.cr.fetchall()]
        self.invalidate_cache(["active", "active_before_trash", "trash_date", "trashed_by_id",
                               "write_uid", "write_date"], self.ids)
        body = _("<p>Restored from the trash by %s.</p>") % html_escape(self.env.user.name)
        self._post_bulk_notes({lead_id: body for lead_id in restored})
        return True

    @api.multi
    def action_delete_permanently(self):
        self._check_trash_manager()
        with guard.internal(guard.PERMANENT_UNLINK):
            return self.unlink()

    @api.model
    def _cron_purge_trash(self):
        """Delete for good what has been in the trash longer than the configured days."""
        # As superuser: a setting; the cron purges the whole trash, whoever may see it.
        days = int(self.env["ir.config_parameter"].sudo().get_param(
            "crm_opportunity_suite.trash_days", TRASH_DAYS) or TRASH_DAYS)
        limit = fields.Datetime.to_string(datetime.utcnow() - timedelta(days=days))
        # As superuser: the cron's job is every trashed opportunity, not the cron user's.
        old = self.sudo().with_context(active_test=False).search(
            [("trash_date", "!=", False), ("trash_date", "<", limit)])
        with guard.internal(guard.PERMANENT_UNLINK):
            old.unlink()
        return len(old)
