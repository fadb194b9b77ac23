from . import crm_activity_report
from . import crm_opportunity_report
from . import crm_sales_insight
from . import crm_opportunity_insight_report
