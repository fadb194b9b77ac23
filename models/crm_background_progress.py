from odoo import fields, models


class CrmBackgroundProgress(models.Model):
    """How far the job of a record (an import, a background operation) has got: one row per
    record, written by the job in transactions of its own and read by the record's progress
    fields (crm.background.job.mixin). The job's own transaction never writes here: under
    Odoo's repeatable-read transactions, a row written by both would make one of them fail."""

    _name = "crm.background.progress"
    _description = "Progress of a background job"
    _log_access = False

    res_model = fields.Char(string="Model", required=True, readonly=True)
    res_id = fields.Integer(string="Record", required=True, readonly=True)
    phase = fields.Char(readonly=True)
    done = fields.Integer(readonly=True)
    total = fields.Integer(readonly=True)
    date = fields.Datetime(string="Written on", readonly=True)

    _sql_constraints = [
        ("record_uniq", "unique(res_model, res_id)", "One progress row per record."),
    ]
