from . import crm_lead_export
from . import crm_lead_import_column
from . import crm_lead_import
