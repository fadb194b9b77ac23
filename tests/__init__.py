# Every test module, so that Odoo's own test runner (--test-enable) runs them all, not only
# pytest-odoo.
from . import test_access
from . import test_attachments
from . import test_bulk_activities
from . import test_communication
from . import test_custom_fields
from . import test_documents
from . import test_export
from . import test_i18n
from . import test_import
from . import test_lifecycle
from . import test_list_selection
from . import test_lines
from . import test_missions
from . import test_probability_tag
from . import test_recurrence
from . import test_reference
from . import test_reports
from . import test_security_data
from . import test_security_documents
from . import test_security_lifecycle
from . import test_send_all
from . import test_sql_parity
from . import test_spreadsheet
from . import test_status
from . import test_tracks
from . import test_trash
