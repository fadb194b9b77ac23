import re
import unicodedata

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError

FIELD_TYPES = [
    ("char", "Text"),
    ("integer", "Number"),
    ("float", "Decimal"),
    ("date", "Date"),
    ("boolean", "Yes/No"),
    ("selection", "List"),
]
FIELD_PREFIX = "x_cos_"
# Set by the definition itself when it creates its field: never by a client.
OWN_FIELD_COLUMNS = ("field_name", "field_id")


def slugify(text, max_length=40):
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
    return slug[:max_length].strip("_") or "field"


class CrmLeadCustomField(models.Model):
    """An admin-defined field of the opportunity: each definition owns a real (manual) field
    ``x_cos_*`` on ``crm.lead``, shown at the bottom of the opportunity form."""

    _name = "crm.lead.custom.field"
    _description = "Opportunity custom field"
    _order = "sequence, id"

    name = fields.Char(string="Label", required=True)
    field_type = fields.Selection(FIELD_TYPES, string="Answer type", required=True, default="char")
    required = fields.Boolean(string="Mandatory", help="Opportunities cannot be saved without it.")
    sequence = fields.Integer(default=10)
    option_ids = fields.One2many(
        "crm.lead.custom.field.option", "field_id", string="Options", copy=True)
    field_name = fields.Char(string="Technical name", readonly=True, copy=False)
    field_id = fields.Many2one(
        "ir.model.fields", string="Field", readonly=True, copy=False, ondelete="set null")

    @api.model
    @tools.ormcache()
    def _field_names(self):
        """Names of the custom fields that are what their definitions say: manual fields
        x_cos_* of crm.lead. Raw SQL uses these names as identifiers."""
        # As superuser: the result is cached for every user; only field names are returned.
        definitions = self.sudo().search([("field_name", "!=", False)])
        return tuple(d.field_name for d in definitions if d._owns_its_field())

    def _owns_its_field(self):
        """Whether the definition points at its own field: a manual x_cos_* field of
        crm.lead with the name it records."""
        self.ensure_one()
        # As superuser: the field is only compared with the definition; nothing is returned.
        field = self.sudo().field_id
        return bool(field and self.field_name and self.field_name.startswith(FIELD_PREFIX)
                    and field.model == "crm.lead" and field.name == self.field_name
                    and field.state == "manual"
                    and self.field_name in self.env["crm.lead"]._fields)

    def _check_owns_its_field(self):
        for definition in self.filtered("field_id"):
            if not definition._owns_its_field():
                raise UserError(_("The custom field \"%(label)s\" does not point at a custom "
                                  "field of the opportunities: it cannot act on it.")
                                % {"label": definition.name})

    @staticmethod
    def _check_own_field_columns(vals):
        given = [name for name in OWN_FIELD_COLUMNS if name in vals]
        if given:
            raise AccessError(_("The field of a custom field definition is chosen by the "
                                "application: %(fields)s cannot be written.")
                              % {"fields": ", ".join(given)})

    def _check_definition(self):
        lead_model = self.env["crm.lead"]
        own_names = set(self.mapped("field_name"))
        standard_labels = {
            (field.string or "").strip().lower()
            for name, field in lead_model._fields.items() if name not in own_names
            and not name.startswith("x_")}
        for definition in self:
            label = (definition.name or "").strip()
            if not label:
                raise UserError(_("Give the custom field a label."))
            others = self.search([("id", "!=", definition.id)])
            if label.lower() in {(name or "").strip().lower() for name in others.mapped("name")}:
                raise UserError(_("A custom field labelled \"%s\" already exists.") % label)
            if label.lower() in standard_labels:
                raise UserError(_(
                    "\"%s\" is already the label of a standard opportunity field: choose "
                    "another label.") % label)
            if definition.field_type == "selection":
                names = [(option.name or "").strip() for option in definition.option_ids]
                if not names:
                    raise UserError(_(
                        "The list field \"%s\" needs at least one option.") % label)
                if not all(names):
                    raise UserError(_(
                        "Every option of the list field \"%s\" needs a name.") % label)
                if len({n.lower() for n in names}) != len(names):
                    raise UserError(_(
                        "The list field \"%s\" has the same option twice.") % label)
            elif definition.option_ids:
                raise UserError(_("Only list fields have options."))
            if definition.required and definition.field_type == "boolean":
                raise UserError(_(
                    "A yes/no field cannot be mandatory: leaving it unticked is an answer."))

    def _assign_option_values(self):
        for definition in self:
            used = set(definition.option_ids.filtered("value").mapped("value"))
            for option in definition.option_ids.filtered(lambda o: not o.value):
                value = base = slugify(option.name)
                counter = 2
                while value in used:
                    value = "%s_%d" % (base, counter)
                    counter += 1
                used.add(value)
                option.value = value

    def _selection_repr(self):
        self.ensure_one()
        return repr([(str(o.value), o.name.strip()) for o in self.option_ids])

    def _new_field_name(self):
        self.ensure_one()
        # As superuser: only the names already taken on crm.lead.
        existing = set(self.env["crm.lead"]._fields) | set(self.env["ir.model.fields"].sudo().search(
            [("model", "=", "crm.lead")]).mapped("name"))
        name = base = "x_cos_%s" % slugify(self.name)
        counter = 2
        while name in existing:
            name = "%s_%d" % (base, counter)
            counter += 1
        return name

    def _create_field(self):
        # As superuser: only sales managers create definitions (access list), and a manual
        # field needs the administrator's rights. Name and type are chosen here, not given.
        model = self.env["ir.model"].sudo().search([("model", "=", "crm.lead")])
        for definition in self:
            name = definition._new_field_name()
            vals = {
                "name": name,
                "model_id": model.id,
                "field_description": definition.name.strip(),
                "ttype": definition.field_type,
                "state": "manual",
            }
            if definition.field_type == "selection":
                vals["selection"] = definition._selection_repr()
            # As superuser: see above; the field is the definition's own.
            field = self.env["ir.model.fields"].sudo().create(vals)
            super(CrmLeadCustomField, definition).write({"field_name": name, "field_id": field.id})
        return True

    def _sync_field(self):
        self._check_owns_its_field()
        for definition in self.filtered("field_id"):
            vals = {}
            label = definition.name.strip()
            if definition.field_id.field_description != label:
                vals["field_description"] = label
            if definition.field_type == "selection":
                selection = definition._selection_repr()
                if definition.field_id.selection != selection:
                    definition._check_removed_options_unused(selection)
                    vals["selection"] = selection
            if vals:
                # As superuser: the definition's own field (checked above); only label and options.
                definition.field_id.sudo().write(vals)

    def _check_removed_options_unused(self, new_selection):
        self.ensure_one()
        kept = {value for value, _label in tools.safe_eval(new_selection)}
        old = tools.safe_eval(self.field_id.selection or "[]")
        for value, label in old:
            if value in kept:
                continue
            # As superuser: an option any opportunity uses must stay; only the count is shown.
            count = self.env["crm.lead"].sudo().with_context(active_test=False).search_count(
                [(self.field_name, "=", value)])
            if count:
                raise UserError(_(
                    "The option \"%(option)s\" is used by %(count)d opportunities: choose "
                    "another option on them before removing it.") % {"option": label,
                                                                    "count": count})

    @api.model
    def create(self, vals):
        self._check_own_field_columns(vals)
        with self.env.cr.savepoint():
            definition = super(CrmLeadCustomField, self.with_context(
                crm_custom_field_sync=False)).create(vals)
            definition._check_definition()
            definition._assign_option_values()
            definition._create_field()
            self._update_views()
        self.clear_caches()
        return definition.with_context(crm_custom_field_sync=None)

    @api.multi
    def write(self, vals):
        if "field_type" in vals and any(d.field_type != vals["field_type"] for d in self):
            raise UserError(_(
                "The answer type of a custom field cannot change: remove the field and create "
                "it again."))
        self._check_own_field_columns(vals)
        with self.env.cr.savepoint():
            super(CrmLeadCustomField, self.with_context(crm_custom_field_sync=False)).write(vals)
            self._check_definition()
            self._assign_option_values()
            self._sync_field()
            if {"name", "required", "sequence", "option_ids"} & set(vals):
                self._update_views()
        self.clear_caches()
        return True

    @api.multi
    def unlink(self):
        # The fields are removed as superuser: only those the definitions really own.
        self._check_owns_its_field()
        with self.env.cr.savepoint():
            self._update_views(exclude=self)
            ir_fields = self.mapped("field_id")
            super().unlink()
            ir_fields.sudo().unlink()
        self.clear_caches()
        return True

    def _options_changed(self):
        """Called by options edited on their own (not through the definition form)."""
        if self.env.context.get("crm_custom_field_sync") is False:
            return
        self._check_definition()
        self._assign_option_values()
        self._sync_field()
