from . import test_reference
from . import test_status
from . import test_probability_tag
from . import test_lines
from . import test_custom_fields
from . import test_access
from . import test_i18n
