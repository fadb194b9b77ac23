# The import of opportunity spreadsheets, apart from its log (crm.lead.import.log): engine.py
# declares the model (columns, writing a plan, the notes), the other files extend it.
from . import engine
from . import cells
from . import validation
from . import lookups
from . import references
from . import writer
from . import side_effects
