from html import escape as html_escape

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError


class CrmLeadMissions(models.Model):
    """Missions (project tasks done for the opportunity) and the projects linked to it."""

    _inherit = "crm.lead"

    mission_ids = fields.One2many("project.task", "opportunity_id", string="Missions",
                                  domain=[("is_mission", "=", True)])
    mission_count = fields.Integer(compute="_compute_mission_count", string="Missions")
    project_ids = fields.One2many("project.project", "opportunity_id", string="Projects")
    project_count = fields.Integer(compute="_compute_project_count", string="Projects")
    # The record rule "Opportunities: those of my missions" (security:
    # crm_lead_rule_mission_resources) searches this field rather than mission_ids.user_id:
    # the ORM searched the user's tasks (a query and its ORM work) and then their
    # opportunities (a second query) at every search, count and read of opportunities by a
    # user the rule applies to (17 per opening of the pipeline); here the same opportunities
    # are a subquery of the rule's SQL.
    mission_user_ids = fields.Many2many(
        "res.users", string="Assigned to its missions", compute="_compute_mission_user_ids",
        search="_search_mission_user_ids",
        help="Users assigned to the tasks linked to the opportunity.")

    @api.depends("mission_ids")
    def _compute_mission_count(self):
        for lead in self:
            lead.mission_count = len(lead.mission_ids)

    @api.depends("mission_ids.user_id")
    def _compute_mission_user_ids(self):
        """The assignees of the opportunity's tasks the user reads."""
        Task = self.env["project.task"]
        tasks = Task.search([("opportunity_id", "in", self.ids)]) \
            if Task.check_access_rights("read", raise_exception=False) else Task
        for lead in self:
            lead.mission_user_ids = tasks.filtered(
                lambda task, lead=lead: task.opportunity_id == lead).mapped("user_id")

    def _search_mission_user_ids(self, operator, value):
        """Opportunities with a task assigned to these users: what the ORM finds for
        [("mission_ids.user_id", operator, value)] (the user's tasks as this user searches
        them, active ones unless the context says otherwise; their opportunities, whatever
        the tasks' is_mission), as one subquery when the superuser searches (record rules
        are built as superuser) for given users; any other search the ORM's way."""
        user_ids = value if isinstance(value, (list, tuple)) else [value]
        if self.env.uid != SUPERUSER_ID or operator not in ("=", "in") or not all(
                isinstance(user_id, int) and not isinstance(user_id, bool)
                for user_id in user_ids):
            return [("mission_ids.user_id", operator, value)]
        # Fixed SQL; the user ids from the domain are a parameter.
        query = "SELECT opportunity_id FROM project_task WHERE user_id = ANY(%s) " \
            "AND opportunity_id IS NOT NULL"
        if self.env.context.get("active_test", True):
            query += " AND active"
        return [("id", "inselect", (query, [list(user_ids)]))]

    @api.depends("project_ids")
    def _compute_project_count(self):
        for lead in self:
            lead.project_count = len(lead.project_ids)

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
            raise UserError(_("The mission %(mission)s is already linked to the opportunity "
                              "%(opportunity)s.") % {
                                  "mission": task.code,
                                  "opportunity": task.opportunity_id.display_name})
        return self._cos_link_mission_task(task)

    def _cos_link_mission_task(self, task):
        """Link ``task`` (linked to no opportunity) to this one as a mission, with a note."""
        task.write({"opportunity_id": self.id, "is_mission": True})
        self._post_bulk_notes({self.id: _("<p>Mission %s linked.</p>") % html_escape(
            task.display_name)})
        return task

    def _cos_new_mission(self, name, user, deadline=None):
        """A new mission of this opportunity (customer, contact from it), with a note."""
        self.ensure_one()
        self.check_access_rights("write")
        self.check_access_rule("write")
        if not (name or "").strip():
            raise UserError(_("Give the new mission a title."))
        mission = self.env["project.task"].create({
            "name": name.strip(),
            "is_mission": True,
            "opportunity_id": self.id,
            "project_id": self.env.ref("crm_opportunity_suite.project_missions").id,
            "partner_id": self.partner_id.id,
            "contact_id": self.contact_id.id,
            "user_id": user.id if user else self.env.uid,
            "date_deadline": deadline or False,
        })
        self._post_bulk_notes({self.id: _("<p>Mission %s created.</p>") % html_escape(
            mission.display_name)})
        return mission

    @api.multi
    def link_project(self, project=None, name=None):
        """Link an existing project, or a new one named ``name``, to this opportunity."""
        self.ensure_one()
        self.check_access_rights("write")
        self.check_access_rule("write")
        if project:
            if project.opportunity_id and project.opportunity_id != self:
                raise UserError(_("The project \"%(project)s\" is already linked to the "
                                  "opportunity %(opportunity)s.") % {
                                      "project": project.name,
                                      "opportunity": project.opportunity_id.display_name})
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
