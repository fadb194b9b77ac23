from odoo import fields, models


class CrmNoteTag(models.Model):
    """Tags of the notes written on opportunities (admin-configured), to filter notes."""

    _name = "crm.note.tag"
    _description = "Note tag"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    color = fields.Integer()
    active = fields.Boolean(default=True)

    _sql_constraints = [("name_uniq", "unique (name)", "A note tag with this name exists.")]
