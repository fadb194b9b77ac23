from . import crm_activity_report
from . import crm_opportunity_report
