# One file per feature of the opportunity, each an `_inherit = "crm.lead"` class. The order
# matters: each file's class is stacked on the previous ones, so the LAST one imported runs
# first. Of the overrides of create/write, from the outermost:
#   internal_fields  refuses the fields only the addon writes (before anything else)
#   stale            create: the date of last activity; write: a stage change sets it
#   lifecycle        write: bulk-close check, then the stage before closing
#   tracks           create: takes the track out of the values; applies it once created
#   drop_address     create: a drop token
#   custom_fields    after create/write: mandatory custom fields filled in (after every
#                    write of the probability tags below: once for the whole set)
#   probability_tag  create: the tag's probability; write: grouped by the tag's probability
#   value            planned_revenue written directly: a fixed value (value.py)
#   files            create/write: the Files tab changes the opportunity's own files only
#   core             create/write: the reference (typed and unique, or the sequence's)
# trash overrides unlink (and every search); nothing else does.
from . import core
from . import status
from . import probability_tag
from . import items
from . import value
from . import custom_fields
from . import export
from . import pipeline
from . import cards
from . import chatter
from . import drop_address
from . import mail_new
from . import missions
from . import documents
from . import files
from . import tracks
from . import lifecycle
from . import stale
from . import trash
from . import internal_fields
