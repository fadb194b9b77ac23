"""Decompression bombs and oversized files are refused fast, with a clear error (issue 16,
point 5)."""
import base64
import io
import logging
import time
import zipfile

import openpyxl

from odoo.exceptions import UserError

from .common import SuiteCase

_logger = logging.getLogger(__name__)

# The refusal must come before the file is read: well under what reading it would take.
MAX_SECONDS = 2.0


def _template():
    workbook = openpyxl.Workbook()
    workbook.active.append(["Opportunity ID", "Opportunity"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return zipfile.ZipFile(io.BytesIO(buffer.getvalue()))


def bomb(rows_xml, repeat, dimension=None):
    """An .xlsx whose first sheet holds ``rows_xml`` ``repeat`` times, deflated at the highest
    level: a few hundred KB that expand to tens of MB."""
    source = _template()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(info.filename, data)
                continue
            head, rest = data.decode().split("<sheetData>")
            tail = rest.split("</sheetData>")[1]
            if dimension:
                head = head.replace('<dimension ref="A1:B1"/>',
                                    '<dimension ref="%s"/>' % dimension)
            with archive.open("xl/worksheets/sheet1.xml", "w") as part:
                part.write((head + "<sheetData>").encode())
                block = rows_xml * 10000
                for _index in range(repeat // 10000):
                    part.write(block)
                part.write(rows_xml * (repeat % 10000))
                part.write(("</sheetData>" + tail).encode())
    return buffer.getvalue()


HEADER = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>Opportunity ID</t></is></c>'
          b'<c r="B1" t="inlineStr"><is><t>Opportunity</t></is></c></row>')


class TestImportLimits(SuiteCase):

    def load(self, content, file_name="bomb.xlsx"):
        """The wizard's first step (reading the file), timed."""
        wizard = self.env["crm.lead.import"].create({
            "file_data": base64.b64encode(content), "file_name": file_name})
        started = time.time()
        try:
            wizard.action_load()
        finally:
            self.elapsed = time.time() - started
        return wizard

    def assert_refused(self, content, message, file_name="bomb.xlsx"):
        with self.assertRaisesRegex(UserError, message):
            self.load(content, file_name)
        _logger.info("%s (%d KB): refused in %.3f s", message, len(content) // 1024,
                     self.elapsed)
        self.assertLess(self.elapsed, MAX_SECONDS)

    def set_limit(self, name, value):
        self.env["ir.config_parameter"].sudo().set_param(
            "crm_opportunity_suite.import_max_%s" % name, str(value))

    def test_million_rows_bomb(self):
        """The issue's bomb: 1.9 million rows in a small file."""
        content = bomb(b"<row><c><v>1</v></c></row>", 1900000)
        self.assertLess(len(content), 1024 * 1024)
        sizes = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(content)).infolist())
        self.assertGreater(sizes, 40 * 1024 * 1024)
        self.assert_refused(content, "more than 200000 rows")

    def test_rows_limit_is_a_system_parameter(self):
        workbook = openpyxl.Workbook()
        workbook.active.append(["Opportunity ID", "Opportunity"])
        for index in range(1001):
            workbook.active.append([None, "Row %d" % index])
        buffer = io.BytesIO()
        workbook.save(buffer)
        self.set_limit("rows", 1001)
        self.assertEqual(len(self.load(buffer.getvalue()).column_ids), 2)
        self.set_limit("rows", 1000)
        self.assert_refused(buffer.getvalue(), "more than 1000 rows")

    def test_namespace_prefix_does_not_hide_rows(self):
        content = bomb(b"<row><c><v>1</v></c></row>", 300000)
        source = zipfile.ZipFile(io.BytesIO(content))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for info in source.infolist():
                data = source.read(info)
                if info.filename == "xl/worksheets/sheet1.xml":
                    data = data.replace(b"<worksheet xmlns=", b"<x:worksheet xmlns:x=").replace(
                        b"</worksheet>", b"</x:worksheet>")
                    for tag in (b"sheetData", b"row", b"c", b"v", b"dimension",
                                b"sheetViews", b"sheetView", b"selection", b"sheetFormatPr",
                                b"pageMargins", b"sheetPr", b"outlinePr", b"pageSetUpPr"):
                        data = data.replace(b"<" + tag, b"<x:" + tag).replace(
                            b"</" + tag, b"</x:" + tag)
                archive.writestr(info.filename, data)
        self.assert_refused(buffer.getvalue(), "more than 200000 rows")

    def test_cells_limit(self):
        self.set_limit("cells", 50000)
        content = bomb(b"<row>" + b"<c><v>1</v></c>" * 20 + b"</row>", 3000)
        self.assert_refused(content, "more than 50000 cells")

    def test_one_far_cell_is_a_million_padded_rows(self):
        """A tiny sheet whose only cell is at XFD1048576: openpyxl pads every row and column
        before it, which the tag count cannot see."""
        content = bomb(HEADER + b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', 1,
                       dimension="A1:XFD1048576")
        self.assertLess(len(content), 10 * 1024)
        self.assert_refused(content, "more than 200000 rows")
        self.set_limit("cells", 100000)
        content = bomb(HEADER + b''.join(
            b'<row r="%d"><c r="XFD%d"><v>1</v></c></row>' % (row, row)
            for row in range(2, 100)), 1)
        self.assert_refused(content, "more than 100000 cells")

    def test_decompressed_size_limit(self):
        self.set_limit("xlsx_mb", 1)
        content = bomb(b"<row><c><v>1</v></c></row>", 100000)
        self.assert_refused(content, "takes more than 1 MB once decompressed")

    def test_csv_rows_limit(self):
        self.set_limit("rows", 500)
        content = ("Opportunity ID,Opportunity\r\n" + ",x\r\n" * 501).encode()
        self.assert_refused(content, "more than 500 rows", "big.csv")
        content = ("Opportunity ID,Opportunity\r\n" + ",x\r\n" * 500).encode()
        self.assertEqual(len(self.load(content, "ok.csv").column_ids), 2)
