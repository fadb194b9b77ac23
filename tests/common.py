import subprocess
import tempfile
from unittest.mock import patch

import odoo
from odoo.tests.common import SavepointCase, TransactionCase, get_db_name


def build_fixtures(target, env):
    """Users and records shared by the addon's tests, set as attributes of ``target`` (a
    test class, or a test when it builds them for itself)."""
    Users = env["res.users"].with_context(no_reset_password=True, mail_create_nolog=True)
    salesman = env.ref("sales_team.group_sale_salesman").id
    target.rep = Users.create({
        "name": "Rita Rep", "login": "cos_rep", "email": "rita.rep@example.com",
        "groups_id": [(6, 0, [salesman])]})
    target.other_rep = Users.create({
        "name": "Oscar Rep", "login": "cos_other_rep", "email": "oscar.rep@example.com",
        "groups_id": [(6, 0, [salesman])]})
    target.manager = Users.create({
        "name": "Mona Manager", "login": "cos_manager", "email": "mona.manager@example.com",
        "groups_id": [(6, 0, [env.ref("sales_team.group_sale_manager").id])]})
    target.Lead = env["crm.lead"]
    # crm moves an opportunity to its salesperson's team unless the salesperson is a member.
    target.team = env["crm.team"].create({
        "name": "Suite team",
        "member_ids": [(6, 0, [env.uid, target.rep.id, target.other_rep.id,
                               target.manager.id])]})
    Stage = env["crm.stage"]
    target.stage_new = Stage.create({"name": "S-New", "probability": 10, "on_change": True,
                                     "sequence": 1, "team_id": target.team.id})
    target.stage_proposal = Stage.create({"name": "S-Proposal", "probability": 60,
                                          "on_change": True, "sequence": 2,
                                          "team_id": target.team.id})
    target.stage_won = Stage.create({"name": "S-Won", "probability": 100, "on_change": True,
                                     "sequence": 50, "team_id": target.team.id})
    target.customer = env["res.partner"].create({"name": "Acme Ltd", "is_company": True,
                                                 "customer": True})
    target.contact = env["res.partner"].create({"name": "Ann Buyer",
                                                "parent_id": target.customer.id})
    target.Tag = env["crm.probability.tag"]
    target.hot = target.Tag.create({"name": "T-Hot", "percentage": 75, "color": 1})
    target.cold = target.Tag.create({"name": "T-Cold", "percentage": 10, "color": 4})


class SuiteMixin(object):
    """Helpers of the addon's tests."""

    def new_opportunity(self, **vals):
        values = {
            "name": "Opportunity",
            "type": "opportunity",
            "team_id": self.team.id,
            "stage_id": self.stage_new.id,
            "partner_id": self.customer.id,
        }
        values.update(vals)
        return self.Lead.create(values)

    def pdf_text(self, report, records):
        """Render a QWeb report through wkhtmltopdf and return the PDF's text (pdftotext)."""
        # Odoo renders HTML instead of PDF in tests unless reports have a directory.
        with tempfile.TemporaryDirectory() as directory, patch.dict(
                odoo.tools.config.options, {"test_report_directory": directory}):
            pdf, kind = report.render_qweb_pdf(records.ids)
        self.assertEqual(kind, "pdf")
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(pdf)
            handle.flush()
            return subprocess.check_output(["pdftotext", "-layout", handle.name, "-"]).decode()


class SuiteCase(SuiteMixin, SavepointCase):
    """The shared records are built once per test class; each test runs in a savepoint."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Messages are asserted in English whatever the database's default language.
        cls.env = cls.env(context=dict(cls.env.context, lang="en_US"))
        build_fixtures(cls, cls.env)


class SuiteTransactionCase(SuiteMixin, TransactionCase):
    """Each test in its own transaction, with the shared records built for it: for tests that
    change the registry (a custom field adds a real field, which a rolled-back savepoint would
    leave in the registry) and for the RPC tests."""

    def setUp(self):
        super().setUp()
        self.env = self.env(context=dict(self.env.context, lang="en_US"))
        build_fixtures(self, self.env)


class RpcCase(SuiteTransactionCase):
    """Calls made the way a remote client makes them: through Odoo's RPC dispatcher, with a
    login and password (authentication, access rights, record rules, the refusal of private
    methods). The dispatcher's requests share the test's transaction (Odoo's test mode, as
    its HttpCase does); what a refused request wrote is rolled back as the server would."""

    def setUp(self):
        registry = odoo.registry(get_db_name())
        registry.enter_test_mode()
        self.addCleanup(registry.leave_test_mode)
        super().setUp()
        self.demo = self.env.ref("base.user_demo")
        self.employee = self.env["res.users"].with_context(no_reset_password=True).create({
            "name": "Eddie Employee", "login": "cos_employee", "password": "cos-employee",
            "email": "eddie@example.com",
            "groups_id": [(6, 0, [self.env.ref("base.group_user").id])]})
        self.passwords = {self.demo.id: "demo", self.employee.id: "cos-employee",
                          odoo.SUPERUSER_ID: "admin"}

    def set_password(self, user, password):
        user.sudo().write({"password": password})
        self.passwords[user.id] = password

    def rpc(self, user, model, method, *args, **kwargs):
        """model.method(*args, **kwargs) called by ``user`` over RPC."""
        # The dispatcher's request ends with a (simulated) commit, or a rollback to the last
        # one: keep what the test prepared.
        self.env.cr.commit()  # pylint: disable=invalid-commit (a test cursor's savepoint)
        try:
            return odoo.service.model.dispatch("execute_kw", [
                get_db_name(), user.id, self.passwords[user.id], model, method, list(args),
                kwargs])
        finally:
            self.env.clear()


class SecurityCase(RpcCase):
    """RPC tests with the demo rep's opportunities and another rep's."""


    def setUp(self):
        super().setUp()
        self.team.member_ids |= self.demo
        # The demo rep's own opportunities, and another rep's.
        self.mine = self.new_opportunity(name="Demo's first", user_id=self.demo.id)
        self.mine2 = self.new_opportunity(name="Demo's second", user_id=self.demo.id)
        self.theirs = self.new_opportunity(name="Oscar's secret", user_id=self.other_rep.id,
                                           planned_revenue=90000.0)

    def lead_state(self, leads):
        self.env.clear()
        return [(l.name, l.status, l.active, l.probability, l.trash_date, l.user_id.id)
                for l in leads.with_context(active_test=False)]
