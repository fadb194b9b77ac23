from . import res_company
from . import res_config_settings
from . import crm_probability_tag
from . import crm_lead_custom_field_option
from . import crm_lead_custom_field
from . import crm_lead_line
from . import crm_lead
from . import crm_lead_import_log
