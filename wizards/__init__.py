from . import crm_lead_export
from . import crm_lead_import_column
from . import crm_lead_import
from . import crm_lead_track_apply
from . import crm_lead_duplicate
from . import crm_lead_bulk_close
