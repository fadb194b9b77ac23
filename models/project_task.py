from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression


class ProjectTask(models.Model):
    """Missions (field jobs: visits, on-site meetings, drafting, follow-up work) are project
    tasks flagged as missions, with a reference code (OCA project_task_code)."""

    _inherit = "project.task"

    is_mission = fields.Boolean(string="Mission", index=True)
    opportunity_id = fields.Many2one(
        "crm.lead", string="Opportunity", index=True, ondelete="set null",
        domain=[("type", "=", "opportunity")])
    contact_id = fields.Many2one("res.partner", string="Contact person")

    def _check_opportunity_access(self, vals):
        """A user assigned to a mission reads its opportunity (record rule): linking a task to
        an opportunity, or assigning a task that is linked to one, needs the right to edit
        that opportunity, else anybody could grant themselves read access to any of them."""
        if self.env.uid == SUPERUSER_ID or not {"opportunity_id", "user_id", "is_mission"} & set(
                vals):
            return
        leads = self.mapped("opportunity_id")
        if vals.get("opportunity_id"):
            leads |= self.env["crm.lead"].browse(vals["opportunity_id"])
        if leads:
            leads.check_access_rights("write")
            leads.check_access_rule("write")

    @api.model
    def create(self, vals):
        self._check_opportunity_access(vals)
        if vals.get("is_mission") and not vals.get("project_id"):
            vals["project_id"] = self.env.ref("crm_opportunity_suite.project_missions").id
        return super().create(vals)

    @api.multi
    def write(self, vals):
        self._check_opportunity_access(vals)
        return super().write(vals)

    @api.model
    def _name_search(self, name, args=None, operator="ilike", limit=100, name_get_uid=None):
        # Missions are found by their reference as well as by their title.
        if name and operator in ("ilike", "like", "=", "=like", "=ilike"):
            args = expression.AND([args or [], [
                "|", ("code", operator, name), ("name", operator, name)]])
            name, operator = "", "ilike"
        return super()._name_search(
            name, args=args, operator=operator, limit=limit, name_get_uid=name_get_uid)

    @api.model
    def _find_by_reference(self, reference):
        """The task whose reference code is ``reference`` (case and spaces ignored)."""
        code = (reference or "").strip()
        if not code:
            raise UserError(_("Give the reference of the mission."))
        task = self.search([("code", "=ilike", code)], limit=1)
        if not task:
            raise UserError(_("No mission has the reference \"%s\".") % code)
        return task
