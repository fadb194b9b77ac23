import base64
import html

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..lib import spreadsheet

PREVIEW_ROWS = 5
# Files with more rows are imported in the background (ir.config_parameter
# crm_opportunity_suite.background_import_rows).
BACKGROUND_ROWS = 2000
DIFF_ROWS = 50


class CrmLeadImport(models.TransientModel):
    """Import an edited opportunity spreadsheet to update (and create) opportunities."""

    _name = "crm.lead.import"
    _description = "Import opportunities from a spreadsheet"

    state = fields.Selection([("upload", "Upload"), ("map", "Map and check"), ("done", "Done")],
                             default="upload", required=True)
    file_data = fields.Binary(string="File", attachment=False)
    file_name = fields.Char()
    update_existing = fields.Boolean(
        string="Import and update duplicates", default=True,
        help="Rows whose opportunity ID exists update that opportunity; rows without an ID "
             "create new opportunities.")
    overwrite = fields.Boolean(
        string="Overwrite name, milestone, pipeline, contact and custom fields",
        help="Off: these are only filled in where they are empty.")
    skip_invalid = fields.Boolean(
        string="Skip invalid rows",
        help="Off (all or nothing): one invalid row and nothing is written.")
    formulas_as_text = fields.Boolean(
        string="Import formulas as text",
        help="Off: cells holding a formula (=SUM(...), =HYPERLINK(...)) rather than a value are "
             "refused. On: the formula's text is imported as it is.")
    column_ids = fields.One2many("crm.lead.import.column", "wizard_id", string="Columns")
    preview_html = fields.Html(string="Preview", readonly=True, sanitize=False)
    log_id = fields.Many2one("crm.lead.import.log", string="Import", readonly=True)
    report_file = fields.Binary(related="log_id.report_file", readonly=True)
    report_name = fields.Char(related="log_id.report_name", readonly=True)

    def _read(self):
        self.ensure_one()
        if not self.file_data:
            raise UserError(_("Choose a file to import."))
        try:
            return self.env["crm.lead.import.engine"]._read_file(
                self.file_name, base64.b64decode(self.file_data))
        except spreadsheet.SpreadsheetError as error:
            raise UserError(_("This file cannot be imported: %s") % self._explain(error))

    def _explain(self, error):
        messages = {
            "empty": _("The file is empty."),
            "too_large": _("The file is larger than %(size)d MB."),
            "old_format": _("Save the file as .xlsx or .csv first."),
            "binary": _("This is not a CSV or .xlsx file."),
            "encoding": _("The file's text encoding is not recognised (use UTF-8)."),
            "malformed": _("The CSV file is malformed: %(detail)s"),
            "bad_xlsx": _("This .xlsx file cannot be read (%(detail)s)."),
            "no_header": _("The file has no header row."),
            "xlsx_too_large": _("This .xlsx file takes more than %(size)d MB once decompressed "
                                "(the limit of an import)."),
            "too_many_rows": _("The file has more than %(rows)d rows (the limit of an import): "
                               "split it."),
            "too_many_cells": _("The file has more than %(cells)d cells (the limit of an "
                                "import): split it."),
        }
        return messages[error.code] % error.params if error.params else messages[error.code]

    def _mapping(self):
        mapping = {c.column_index: c.target for c in self.column_ids if c.target}
        targets = [t for t in mapping.values()]
        duplicated = {t for t in targets if targets.count(t) > 1}
        if duplicated:
            labels = dict(self.env["crm.lead.import.engine"]._mapping_choices())
            raise UserError(_("Several columns are imported into %s.")
                            % ", ".join(labels[t] for t in duplicated))
        if not mapping:
            raise UserError(_("Map at least one column."))
        return mapping

    def _reopen(self):
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
                "view_mode": "form", "target": "new", "name": _("Import opportunities")}

    @api.multi
    def action_load(self):
        headers, rows = self._read()
        guessed = self.env["crm.lead.import.engine"]._guess_mapping(headers)
        columns = [(5, 0, 0)]
        for index, header in enumerate(headers):
            samples = [str(values[index]) for _line, values in rows[:3]
                       if index < len(values) and values[index] not in (None, "")]
            columns.append((0, 0, {"column_index": index, "header": header,
                                   "sample": ", ".join(samples)[:120],
                                   "target": guessed.get(index)}))
        self.write({"column_ids": columns, "state": "map",
                    "preview_html": self._sample_html(headers, rows)})
        return self._reopen()

    @api.multi
    def action_dry_run(self):
        headers, rows = self._read()
        Engine = self.env["crm.lead.import.engine"]
        plan, errors = Engine._prepare(headers, rows, self._mapping(), self.update_existing,
                                       self.overwrite, self.formulas_as_text)
        # What the write would really change (side effects included) and the rows it would
        # refuse: the diff shown is the diff the import writes.
        plan, refused = Engine._simulate(plan, self.skip_invalid)
        errors = sorted(errors + [(line, "", "", "", reason) for line, reason in refused],
                        key=lambda error: error[0])
        self.preview_html = self._diff_html(plan, errors)
        return self._reopen()

    @api.multi
    def action_import(self):
        headers, rows = self._read()
        Log = self.env["crm.lead.import.log"]
        # As superuser: a setting sales users may not read; only the threshold is used.
        threshold = int(self.env["ir.config_parameter"].sudo().get_param(
            "crm_opportunity_suite.background_import_rows", BACKGROUND_ROWS))
        if len(rows) > threshold:
            log = Log._enqueue(self.file_name, base64.b64decode(self.file_data), self._mapping(),
                               self.update_existing, self.overwrite, self.skip_invalid,
                               self.formulas_as_text)
            self.preview_html = "<p>%s</p>" % html.escape(_(
                "%d rows: the import runs in the background. You will be notified (inbox and "
                "e-mail) when it is done, with the report of rejected rows.") % len(rows))
        else:
            log = Log.browse()._import(
                self.file_name, headers, rows, self._mapping(), self.update_existing,
                self.overwrite, self.skip_invalid, self.formulas_as_text)
        self.write({"log_id": log.id, "state": "done"})
        return self._reopen()

    @api.multi
    def action_undo(self):
        self.log_id.action_undo()
        return self._reopen()

    # ------------------------------------------------------------------ HTML previews

    @staticmethod
    def _html_table(headers, rows):
        head = "".join("<th>%s</th>" % html.escape(str(h)) for h in headers)
        body = "".join("<tr>%s</tr>" % "".join(
            "<td>%s</td>" % html.escape(str(v)) for v in row) for row in rows)
        return ("<table class='table table-condensed table-striped'><thead><tr>%s</tr></thead>"
                "<tbody>%s</tbody></table>" % (head, body))

    def _sample_html(self, headers, rows):
        sample = [["" if v is None else v for v in values] for _line, values in
                  rows[:PREVIEW_ROWS]]
        return "<p>%s</p>%s" % (html.escape(_("%d rows. The first ones:") % len(rows)),
                                self._html_table(headers, sample))

    def _diff_html(self, plan, errors):
        Engine = self.env["crm.lead.import.engine"]
        Lead = self.env["crm.lead"]
        updates = [p for p in plan if p[1] and p[3]]
        creates = [p for p in plan if not p[1]]
        unchanged = len(plan) - len(updates) - len(creates)
        summary = _("%(update)d to update, %(create)d to create, %(unchanged)d unchanged, "
                    "%(rejected)d rejected.") % {
                        "update": len(updates), "create": len(creates), "unchanged": unchanged,
                        "rejected": len({e[0] for e in errors})}
        if errors and not self.skip_invalid:
            summary += " " + _("All or nothing: as it is, nothing would be imported.")
        diff_rows = []
        for line, lead, _vals, changes in (updates + creates)[:DIFF_ROWS]:
            for name, old, new in changes:
                field = Lead._fields[name]
                diff_rows.append([line, lead.reference if lead else _("new"),
                                  field.get_description(self.env)["string"],
                                  str(Engine._display(field, old)),
                                  str(Engine._display(field, new))])
        parts = ["<p><strong>%s</strong></p>" % html.escape(summary)]
        if diff_rows:
            parts.append(self._html_table([_("Line"), _("Opportunity"), _("Field"), _("Now"),
                                      _("After the import")], diff_rows))
        if errors:
            parts.append(self._html_table([_("Line"), _("Cell"), _("Column"), _("Value"),
                                      _("Reason")], errors[:DIFF_ROWS]))
        return "".join(parts)
