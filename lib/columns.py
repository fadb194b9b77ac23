"""The columns of the opportunity spreadsheet: one table read by the export (its headers), the
import (what each column writes, in which order) and the header guess (the aliases).

No ORM here: the labels are English, marked for the translation template by ``_`` below and
translated where they are shown (crm.lead._spreadsheet_headers).
"""
from collections import namedtuple


def _(source):
    """Marks a label for `make pot` (Odoo extracts every ``_("...")`` of the addon's Python
    files); the models translate it when they show it."""
    return source


# key: the column's name in mappings, logs and undo data; label: the header the export writes
# (translated); field: the crm.lead field the import writes (None: exported to be read only, or
# the ID that names the opportunity); import_rank: None when the import ignores the column, else
# the order in which it converts and reports the cells of a row (the pipeline before the stage,
# which is looked up in it); aliases: headers the import also recognises, in English and French
# (besides the label in English and in the user's language).
Column = namedtuple("Column", "key label field import_rank aliases")

COLUMNS = (
    Column("id", _("Opportunity ID"), None, 0,
           ("ID", "ID de l'opportunité", "Identifiant de l'opportunité")),
    Column("reference", _("Reference"), "reference", 12, ("Référence",)),
    Column("name", _("Opportunity"), "name", 1, ("Name", "Opportunité", "Nom")),
    Column("customer", _("Customer"), None, None, ("Client",)),
    Column("contact", _("Contact"), None, None, ("Contact person", "Personne de contact")),
    Column("contact_id", _("Contact ID"), "contact_id", 14, ("ID du contact", "ID de contact")),
    Column("pipeline", _("Pipeline"), "team_id", 2,
           ("Sales channel", "Sales team", "Canal de vente", "Équipe commerciale")),
    Column("stage", _("Stage"), "stage_id", 3, ("Étape",)),
    Column("milestone", _("Milestone"), "status", 4, ("Status", "Jalon", "Statut")),
    Column("lost_reason", _("Lost reason"), "lost_reason", 5,
           ("Raison de la perte", "Motif de perte")),
    Column("expected_revenue", _("Expected value"), "value_amount", 6,
           ("Value", "Expected revenue", "Valeur", "Valeur attendue", "Revenu attendu",
            "Revenu espéré")),
    Column("currency", _("Currency"), "currency_id", 7, ("Devise",)),
    Column("value_basis", _("Value basis"), "value_basis", 8,
           ("Basis", "Base de la valeur", "Base de valeur", "Base")),
    Column("duration", _("Duration"), "value_duration", 9, ("Durée", "Periods", "Périodes")),
    Column("total_value", _("Total value"), None, None, ("Valeur totale",)),
    Column("company_revenue", _("Expected revenue (company currency)"), None, None,
           ("Revenu espéré (devise de la société)", "Revenu attendu (devise de la société)")),
    Column("probability", _("Probability"), "probability", 10, ("Probabilité",)),
    Column("probability_tag", _("Probability tag"), "probability_tag_id", 11,
           ("Étiquette de probabilité",)),
    Column("tags", _("Tags"), None, None, ("Étiquettes",)),
    Column("owner", _("Owner"), "user_id", 12,
           ("Salesperson", "Propriétaire", "Vendeur", "Commercial")),
    Column("due_date", _("Due date"), "date_deadline", 13,
           ("Expected closing", "Échéance", "Date de clôture prévue")),
)

# Custom fields are columns too, keyed "custom:<field name>", labelled by their definition.
CUSTOM_PREFIX = "custom:"

# The keys the import may write, in the order it converts them.
IMPORTABLE_KEYS = tuple(column.key for column in sorted(
    (column for column in COLUMNS if column.import_rank is not None),
    key=lambda column: column.import_rank))
# The field each importable column writes (all but the ID).
FIELD_OF_KEY = {column.key: column.field for column in COLUMNS if column.field}
# Every header the import recognises for each column, the English label first.
COLUMN_ALIASES = {column.key: [column.label] + list(column.aliases) for column in COLUMNS}


def field_of(key):
    """The crm.lead field a column writes: a custom field's own, or the table's."""
    if key.startswith(CUSTOM_PREFIX):
        return key[len(CUSTOM_PREFIX):]
    return FIELD_OF_KEY[key]
