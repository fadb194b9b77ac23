from odoo import fields, models, tools


class CrmOpportunityInsightReport(models.Model):
    """One row per opportunity (trashed ones left out) for the sales insights' pivot and
    graph views: counts and values per owner, team, stage, month, probability tag."""

    _name = "crm.opportunity.insight.report"
    _description = "Sales insights analysis"
    _auto = False
    _rec_name = "lead_id"
    _order = "create_date desc"

    lead_id = fields.Many2one("crm.lead", string="Opportunity", readonly=True)
    user_id = fields.Many2one("res.users", string="Owner", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales team", readonly=True)
    stage_id = fields.Many2one("crm.stage", string="Stage", readonly=True)
    probability_tag_id = fields.Many2one("crm.probability.tag", string="Probability tag",
                                         readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    create_date = fields.Datetime(string="Created on", readonly=True)
    date_deadline = fields.Date(string="Due date", readonly=True)
    date_closed = fields.Datetime(string="Closed on", readonly=True)
    status = fields.Selection([("open", "Open"), ("hold", "On hold"), ("won", "Won"),
                               ("lost", "Lost")], readonly=True)
    expected_revenue = fields.Float(string="Expected revenue", readonly=True)
    weighted_revenue = fields.Float(string="Weighted revenue", readonly=True)
    won_revenue = fields.Float(string="Won revenue", readonly=True)
    won_count = fields.Integer(string="Won", readonly=True)
    lost_count = fields.Integer(string="Lost", readonly=True)
    open_count = fields.Integer(string="Open", readonly=True)
    cycle_days = fields.Float(string="Days to win", readonly=True, group_operator="avg")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        # Fixed SQL: the table is the model's own (init() is not callable over RPC).
        self.env.cr.execute("""
            CREATE VIEW %s AS (
                SELECT l.id, l.id AS lead_id, l.user_id, l.team_id, l.stage_id,
                       l.probability_tag_id, l.company_id, l.create_date, l.date_deadline,
                       l.date_closed, l.status,
                       l.planned_revenue AS expected_revenue,
                       l.planned_revenue * l.probability / 100.0 AS weighted_revenue,
                       CASE WHEN l.status = 'won' THEN l.planned_revenue ELSE 0 END
                           AS won_revenue,
                       (l.status = 'won')::int AS won_count,
                       (l.status = 'lost')::int AS lost_count,
                       (l.status IN ('open', 'hold'))::int AS open_count,
                       CASE WHEN l.status = 'won' AND l.date_closed IS NOT NULL THEN
                           EXTRACT(EPOCH FROM (l.date_closed - l.create_date)) / 86400.0
                       END AS cycle_days
                FROM crm_lead l
                WHERE l.type = 'opportunity' AND l.trash_date IS NULL
            )""" % self._table)
