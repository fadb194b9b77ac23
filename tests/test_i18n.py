import io
import os

from odoo.exceptions import UserError
from odoo.modules.module import get_module_path
from odoo.tests.common import TransactionCase
from odoo.tools.translate import PoFile, trans_export

MODULE = "crm_opportunity_suite"


def po_entries(handle):
    """{source: translation} of a .po/.pot file, through Odoo's own reader."""
    entries = {}
    for _type, _name, _res_id, source, translation, _comments in PoFile(handle):
        entries[source] = translation
    return entries


class TestTranslations(TransactionCase):

    def read_po(self, name):
        path = os.path.join(get_module_path(MODULE), "i18n", name)
        with open(path, "rb") as handle:
            return po_entries(handle)

    def test_pot_is_up_to_date(self):
        buffer = io.BytesIO()
        trans_export(False, [MODULE], buffer, "po", self.cr)
        buffer.seek(0)
        exported = set(po_entries(buffer))
        committed = set(self.read_po(MODULE + ".pot"))
        self.assertFalse(exported - committed, "terms missing from the .pot: run `make pot`")
        self.assertFalse(committed - exported, "terms gone from the code still in the .pot")

    def test_french_translates_every_term(self):
        pot = self.read_po(MODULE + ".pot")
        french = self.read_po("fr.po")
        untranslated = sorted(s for s in pot if not french.get(s, "").strip())
        self.assertFalse(untranslated, "untranslated in fr.po: %s" % untranslated[:10])

    def test_french_user_gets_french_messages(self):
        self.assertTrue(self.env["res.lang"].search([("code", "=", "fr_FR")]),
                        "make test loads French")
        Definition = self.env["crm.lead.custom.field"].with_context(lang="fr_FR")
        with self.assertRaises(UserError) as error:
            Definition.create({"name": "", "field_type": "char"})
        self.assertNotIn("Give the custom field a label", error.exception.name)
        self.assertEqual(error.exception.name,
                         self.env["ir.translation"]._get_source(
                             None, ("code",), "fr_FR", "Give the custom field a label."))
        field = self.env["ir.model.fields"].search(
            [("model", "=", "crm.lead"), ("name", "=", "probability_tag_id")])
        self.assertEqual(field.with_context(lang="fr_FR").field_description, "Étiquette de probabilité")
