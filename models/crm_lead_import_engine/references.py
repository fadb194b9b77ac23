from odoo import _, models

from ...lib import parsing
from ..crm_lead.core import clean_reference

# A reference of the ID column that several opportunities the user may read have.
AMBIGUOUS = -1


class CrmLeadImportEngineReferences(models.AbstractModel):
    """References in a file: in the ID column, naming the opportunity (any case); in the
    Reference column, a new reference, unique in the company."""

    _inherit = "crm.lead.import.engine"

    @staticmethod
    def _reference_keys(rows, columns, numbers=True):
        """The references (cleaned, lower case) of these columns' text cells; without the
        numbers (IDs) unless ``numbers``."""
        def is_number(value):
            try:
                parsing.parse_int(value)
            except parsing.CellError:
                return False
            return True

        keys = set()
        for _line, values in rows:
            for col in columns:
                value = values[col] if col < len(values) else ""
                if isinstance(value, str) and value.strip() and (numbers or not is_number(value)):
                    keys.add(clean_reference(value).lower())
        return keys

    def _references(self, rows, id_columns):
        """{reference in lower case: id} of the opportunities the user may read whose
        reference (OPP00012, or one typed by a user, any case) stands in the ID column
        instead of their ID; AMBIGUOUS when several (of different companies) have it."""
        keys = self._reference_keys(rows, id_columns, numbers=False)
        if not keys:
            return {}
        # Fixed SQL, the references as a parameter; kept: the ids the user may read.
        self.env.cr.execute("SELECT id, lower(reference) FROM crm_lead "
                            "WHERE lower(reference) IN %s", (tuple(keys),))
        found = dict(self.env.cr.fetchall())
        readable = set(self.env["crm.lead"].with_context(active_test=False)._search(
            [("id", "in", list(found))]))
        references = {}
        for lead_id, key in found.items():
            if lead_id in readable:
                references[key] = AMBIGUOUS if key in references else lead_id
        return references

    def _taken_references(self, rows, reference_columns):
        """{(reference in lower case, company id or 0): id} of every opportunity (any user's:
        a reference is unique in the company) holding a reference of the Reference column."""
        keys = self._reference_keys(rows, reference_columns)
        if not keys:
            return {}
        # Fixed SQL, the references as a parameter. Only whether a reference is taken is used.
        self.env.cr.execute("SELECT lower(reference), COALESCE(company_id, 0), id FROM crm_lead "
                            "WHERE lower(reference) IN %s", (tuple(keys),))
        return {(key, company): lead_id for key, company, lead_id in self.env.cr.fetchall()}

    def _reference_clash(self, reference, line, lead, lookups):
        """Why a row may not give its opportunity this reference (another opportunity of the
        company has it, or an earlier row of the file gives it), or None."""
        company_id = (lead.company_id if lead else self.env.user.company_id.id) or 0
        key = (reference.lower(), company_id)
        owner = lookups["taken"].get(key)
        if owner and owner != (lead.id if lead else None):
            return _("The reference %(reference)s is already used by another opportunity.") % {
                "reference": reference}
        given = lookups.setdefault("given_references", {})
        if key in given:
            return _("The reference %(reference)s is already given on line %(line)d.") % {
                "reference": reference, "line": given[key]}
        given[key] = line
        return None
