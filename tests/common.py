import subprocess
import tempfile
from unittest.mock import patch

import odoo
from odoo.tests.common import TransactionCase


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
