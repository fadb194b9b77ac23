import subprocess
import tempfile
from unittest.mock import patch

import odoo
from odoo.tests.common import TransactionCase, get_db_name


class SuiteCase(TransactionCase):
    """Users and records shared by the addon's tests."""

    def setUp(self):
        super().setUp()
        # Messages are asserted in English whatever the database's default language.
        self.env = self.env(context=dict(self.env.context, lang="en_US"))
        Users = self.env["res.users"].with_context(no_reset_password=True, mail_create_nolog=True)
        self.rep = Users.create({
            "name": "Rita Rep",
            "login": "cos_rep",
            "email": "rita.rep@example.com",
            "groups_id": [(6, 0, [self.env.ref("sales_team.group_sale_salesman").id])],
        })
        self.other_rep = Users.create({
            "name": "Oscar Rep",
            "login": "cos_other_rep",
            "email": "oscar.rep@example.com",
            "groups_id": [(6, 0, [self.env.ref("sales_team.group_sale_salesman").id])],
        })
        self.manager = Users.create({
            "name": "Mona Manager",
            "login": "cos_manager",
            "email": "mona.manager@example.com",
            "groups_id": [(6, 0, [self.env.ref("sales_team.group_sale_manager").id])],
        })
        self.Lead = self.env["crm.lead"]
        # crm moves an opportunity to its salesperson's team unless the salesperson is a member.
        self.team = self.env["crm.team"].create({
            "name": "Suite team",
            "member_ids": [(6, 0, [self.env.uid, self.rep.id, self.other_rep.id,
                                   self.manager.id])],
        })
        Stage = self.env["crm.stage"]
        self.stage_new = Stage.create({"name": "S-New", "probability": 10, "on_change": True,
                                       "sequence": 1, "team_id": self.team.id})
        self.stage_proposal = Stage.create({"name": "S-Proposal", "probability": 60,
                                            "on_change": True, "sequence": 2,
                                            "team_id": self.team.id})
        self.stage_won = Stage.create({"name": "S-Won", "probability": 100, "on_change": True,
                                       "sequence": 50, "team_id": self.team.id})
        self.customer = self.env["res.partner"].create({"name": "Acme Ltd", "is_company": True,
                                                        "customer": True})
        self.contact = self.env["res.partner"].create({"name": "Ann Buyer",
                                                       "parent_id": self.customer.id})
        self.Tag = self.env["crm.probability.tag"]
        self.hot = self.Tag.create({"name": "T-Hot", "percentage": 75, "color": 1})
        self.cold = self.Tag.create({"name": "T-Cold", "percentage": 10, "color": 4})

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


class RpcCase(SuiteCase):
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
        self.env.cr.commit()
        try:
            return odoo.service.model.dispatch("execute_kw", [
                get_db_name(), user.id, self.passwords[user.id], model, method, list(args),
                kwargs])
        finally:
            self.env.clear()
