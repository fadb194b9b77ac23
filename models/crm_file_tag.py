from odoo import fields, models


class CrmFileTag(models.Model):
    """Tags of the files attached to opportunities (plans, photos, contracts...): defined by
    the sales managers, put on files by the sales users."""

    _name = "crm.file.tag"
    _description = "File tag"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    color = fields.Integer(string="Colour index", default=0,
                           help="Colour of the tag (0 to 11, Odoo's palette).")
    active = fields.Boolean(default=True)

    _sql_constraints = [("name_uniq", "unique (name)", "A file tag with this name exists.")]
