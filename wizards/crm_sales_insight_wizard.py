import base64
from html import escape as html_escape

from odoo import _, api, fields, models

from ..lib import spreadsheet


class CrmSalesInsightWizard(models.TransientModel):
    """Filters of the sales insights, and their outputs: PDF, .xlsx, pivot and graph."""

    _name = "crm.sales.insight.wizard"
    _description = "Sales insights"

    date_from = fields.Date(string="Created from")
    date_to = fields.Date(string="Created until")
    team_ids = fields.Many2many("crm.team", string="Sales teams")
    user_ids = fields.Many2many("res.users", string="Owners", domain=[("share", "=", False)])
    tag_ids = fields.Many2many("crm.lead.tag", string="Tags")
    probability_tag_ids = fields.Many2many("crm.probability.tag", string="Probability tags")
    months = fields.Integer(string="Coming months", default=3,
                            help="Months of weighted pipeline, from the current one.")
    file_data = fields.Binary(string="File", readonly=True, attachment=False)
    file_name = fields.Char(readonly=True)

    def _filters(self):
        self.ensure_one()
        return {
            "date_from": self.date_from, "date_to": self.date_to,
            "team_ids": self.team_ids.ids, "user_ids": self.user_ids.ids,
            "tag_ids": self.tag_ids.ids, "probability_tag_ids": self.probability_tag_ids.ids,
            "company_id": self.env.user.company_id.id,
        }

    def _insights(self):
        """The computed figures with names instead of ids, ready for the PDF and the
        spreadsheet."""
        data = self.env["crm.sales.insight"].compute(self._filters(), months=self.months or 3)
        users = {user.id: user.name for user in self.env["res.users"].browse(
            [rep["user_id"] for rep in data["reps"] + data["pipeline"] if rep["user_id"]])}
        teams = {team.id: team.name for team in self.env["crm.team"].browse(
            [row["team_id"] for row in data["teams_next_month"] if row["team_id"]])}
        types = {t.id: t.name for t in self.env["mail.activity.type"].search([])}
        unassigned = _("Unassigned")
        for rep in data["reps"] + data["pipeline"]:
            rep["user"] = users.get(rep["user_id"], unassigned)
        for row in data["teams_next_month"]:
            row["team"] = teams.get(row["team_id"], unassigned)
        type_ids = sorted({type_id for rep in data["reps"] for type_id in rep["activities"]},
                          key=lambda type_id: types.get(type_id, ""))
        data["activity_types"] = [(type_id, types.get(type_id, "?")) for type_id in type_ids]
        data["pipeline_totals"] = [round(sum(row["months"][month] for row in data["pipeline"]), 2)
                                   for month in data["months"]]
        data["currency"] = self.env.user.company_id.currency_id.name
        return data

    def _report_data(self):
        data = self._insights()
        data["chart"] = self._bar_chart(data["months"], data["pipeline_totals"])
        return data

    @staticmethod
    def _bar_chart(labels, values, width=640, height=220):
        """An SVG bar chart (rendered by wkhtmltopdf without JavaScript)."""
        top = max(values or [0]) or 1.0
        count = max(len(values), 1)
        band = (width - 60) / count
        bars = []
        for index, (label, value) in enumerate(zip(labels, values)):
            bar_height = (height - 50) * value / top
            x = 50 + index * band + band * 0.15
            y = height - 30 - bar_height
            bars.append(
                '<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#875A7B"/>'
                '<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%s</text>'
                '<text x="%.1f" y="%.1f" font-size="10" text-anchor="middle">%s</text>' % (
                    x, y, band * 0.7, bar_height, x + band * 0.35, height - 12,
                    html_escape(label), x + band * 0.35, y - 4, "{:,.2f}".format(value)))
        return ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
                'viewBox="0 0 %d %d"><line x1="45" y1="%d" x2="%d" y2="%d" stroke="#555"/>%s'
                '</svg>' % (width, height, width, height, height - 30, width - 10,
                            height - 30, "".join(bars)))

    @api.multi
    def action_print(self):
        self.ensure_one()
        return self.env.ref("crm_opportunity_suite.action_report_sales_insights").report_action(
            self)

    @api.multi
    def action_export_xlsx(self):
        """The figures as a spreadsheet: an export, for the export permission only."""
        self.ensure_one()
        self.env["crm.lead"]._check_export_allowed()
        content = self._xlsx()
        self.write({"file_data": base64.b64encode(content),
                    "file_name": "sales-insights-%s.xlsx" % fields.Date.context_today(self)})
        return {
            "type": "ir.actions.act_url",
            "target": "self",
            "url": "/web/content?model=%s&id=%d&field=file_data&filename_field=file_name"
                   "&download=true" % (self._name, self.id),
        }

    def _xlsx(self):
        data = self._insights()
        sheets = [
            (_("Conversion by month"),
             [_("Month"), _("Created"), _("Opportunities"), _("Won"),
              _("Lead to opportunity %"), _("Opportunity to won %")],
             [[r["period"], r["created"], r["opportunities"], r["won"], r["to_opportunity"],
               r["to_won"]] for r in data["by_month"]]),
            (_("Conversion by quarter"),
             [_("Quarter"), _("Created"), _("Opportunities"), _("Won"),
              _("Lead to opportunity %"), _("Opportunity to won %")],
             [[r["period"], r["created"], r["opportunities"], r["won"], r["to_opportunity"],
               r["to_won"]] for r in data["by_quarter"]]),
            (_("Stages"), [_("Stage"), _("Reached"), _("To the next stage %")],
             [[r["stage"], r["reached"], r["next_rate"]] for r in data["by_stage"]]),
            (_("Summary"), [_("Won"), _("Lost"), _("Win rate %"), _("Average days to win")],
             [[data["summary"]["won"], data["summary"]["lost"], data["summary"]["win_rate"],
               data["summary"]["cycle_days"]]]),
            (_("Reps"),
             [_("Owner"), _("Opportunities"), _("Won"), _("Won value"), _("Win rate %"),
              _("Average deal")] + [name for _id, name in data["activity_types"]],
             [[r["user"], r["owned"], r["won"], r["won_value"], r["win_rate"],
               r["average_deal"]] + [r["activities"].get(type_id, 0)
                                      for type_id, _name in data["activity_types"]]
              for r in data["reps"]]),
            (_("Weighted pipeline"), [_("Owner")] + data["months"],
             [[r["user"]] + [r["months"][m] for m in data["months"]] for r in data["pipeline"]]
             + [[_("Total")] + data["pipeline_totals"]]),
            (_("Teams next month"),
             [_("Sales team"), _("Open opportunities"), _("Expected"), _("Weighted")],
             [[r["team"], r["count"], r["expected"], r["weighted"]]
              for r in data["teams_next_month"]]),
        ]
        return spreadsheet.write_xlsx_sheets(sheets)

    @api.multi
    def action_open_analysis(self):
        self.ensure_one()
        action = self.env.ref("crm_opportunity_suite.crm_opportunity_insight_report_action")
        result = action.read()[0]
        domain = []
        if self.date_from:
            domain.append(("create_date", ">=", self.date_from))
        if self.date_to:
            domain.append(("create_date", "<=", self.date_to + " 23:59:59"))
        for field_name, records in (("team_id", self.team_ids), ("user_id", self.user_ids),
                                    ("probability_tag_id", self.probability_tag_ids)):
            if records:
                domain.append((field_name, "in", records.ids))
        if self.tag_ids:
            domain.append(("lead_id.tag_ids", "in", self.tag_ids.ids))
        result["domain"] = domain
        return result
