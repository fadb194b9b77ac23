import json

from werkzeug.wsgi import wrap_file

from odoo import http
from odoo.tools import html_escape
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.web.controllers.pivot import TableExporter


class OpportunityAttachments(http.Controller):

    @http.route("/crm_opportunity_suite/opportunity/<int:lead_id>/attachments.zip",
                type="http", auth="user")
    def download_all(self, lead_id):
        """One zip of the files of an opportunity that the user may see, built in a
        temporary file and streamed from it: files are read one at a time."""
        lead = request.env["crm.lead"].browse(lead_id)
        try:
            name, handle = lead._attachments_zip()
        except (AccessError, MissingError):
            return request.not_found()
        size = handle.seek(0, 2)
        handle.seek(0)
        # wrap_file streams the file in blocks and closes it (deleting it) when done.
        body = wrap_file(request.httprequest.environ, handle)
        return http.Response(body, direct_passthrough=True, headers=[
            ("Content-Type", "application/zip"),
            ("Content-Length", str(size)),
            ("Content-Disposition", http.content_disposition(name)),
        ])


class GatedTableExporter(TableExporter):
    """The pivot's Download of opportunity data needs the export permission, as the other
    exports do. The table comes from the browser, which already read it: this gate keeps the
    screens' promise, a client that builds its own spreadsheet from what it may read is not
    stopped by it (see the README's Security section)."""

    @http.route()
    def export_xls(self, data, token):
        try:
            model = json.loads(data).get("model")
        except (ValueError, AttributeError):
            model = None  # not a table the web client made: gated as opportunity data
        if request.env["crm.export.gate"].touches_opportunities(model):
            try:
                request.env["crm.lead"]._check_export_allowed()
            except AccessError as error:
                # Answered as the web client's file downloads expect an error (it shows the
                # message), without an unhandled exception in the server log.
                body = json.dumps({"code": 200, "message": "Odoo Server Error",
                                   "data": http.serialize_exception(error)})
                response = request.make_response(html_escape(body))
                response.status_code = 403
                return response
        return super().export_xls(data, token)
