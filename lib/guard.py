"""Permissions that only the addon's own code can grant, for the duration of one call.

Writes that must stay internal (the sent date of a document, import logs and the records of
background operations, closing many opportunities from an import) are refused unless the
code that performs them runs inside ``internal(...)``. The flag lives in the current thread,
not in the context: an RPC client sends a context (any key it likes) but cannot run Python
in the server, so it cannot set this flag. Odoo serves each request (and queue_job each job)
in one thread, and the flag is restored when the block ends, also on errors.
"""
import threading
from contextlib import contextmanager

_STATE = threading.local()

# The names used by the addon.
PERMANENT_UNLINK = "unlink"    # deleting opportunities for good
CLOSE = "close"                # closing several opportunities at once (import, bulk close)
DOCUMENT_SENT = "sent"         # the sent date of a financial document
IMPORT_LOG = "import_log"      # the import's own records
MAIL_GATEWAY = "mail_gateway"  # message_process is processing a mail it routed
MAIL_SENDER = "mail_sender"    # the From of the mail being processed is taken at its word
DROP_ACCEPT = "drop_accept"    # a mail held for review is accepted by a manager
BACKGROUND = "background"      # the records of background operations (bulk close, track, send)


@contextmanager
def internal(*names):
    previous = getattr(_STATE, "names", frozenset())
    _STATE.names = previous | frozenset(names)
    try:
        yield
    finally:
        _STATE.names = previous


def allowed(name):
    return name in getattr(_STATE, "names", frozenset())
