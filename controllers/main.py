from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request


class OpportunityAttachments(http.Controller):

    @http.route("/crm_opportunity_suite/opportunity/<int:lead_id>/attachments.zip",
                type="http", auth="user")
    def download_all(self, lead_id):
        """One zip of the files of an opportunity that the user may see."""
        lead = request.env["crm.lead"].browse(lead_id)
        try:
            name, content = lead._attachments_zip()
        except (AccessError, MissingError):
            return request.not_found()
        return request.make_response(content, headers=[
            ("Content-Type", "application/zip"),
            ("Content-Length", str(len(content))),
            ("Content-Disposition", http.content_disposition(name)),
        ])
