"""How far the work running in this thread has got, for a background job to show.

The code doing the work (the import engine's row loop, a bulk operation's chunks) reports
phases and steps here; nobody listens unless a background job set up a writer around it
(``reporting``), so the same code run in a request costs one thread-local lookup per step.
The writer (crm.background.job.mixin) stores the figures in a transaction of its own, at most
once per interval and at every new phase, so that the user sees them while the job's own
transaction, which commits the work with its "done" marker, is still open.
"""
import threading
import time
from contextlib import contextmanager

_STATE = threading.local()


class Reporter(object):
    """The current phase, steps done and total, written through ``write(phase, done,
    total)``."""

    def __init__(self, write, interval):
        self._write = write
        self.interval = interval
        self.phase = None
        self.done = 0
        self.total = 0
        self._written_at = 0.0

    def start(self, phase, total, done=0):
        self.phase, self.total, self.done = phase, total, done
        self.flush()

    def advance(self, count):
        self.done += count
        if time.monotonic() - self._written_at >= self.interval:
            self.flush()

    def flush(self):
        self._written_at = time.monotonic()
        self._write(self.phase, min(self.done, self.total), self.total)


@contextmanager
def reporting(write, interval=1.0):
    """Report the progress of the work run inside the block through ``write``."""
    previous = getattr(_STATE, "reporter", None)
    reporter = Reporter(write, interval)
    _STATE.reporter = reporter
    try:
        yield reporter
    finally:
        _STATE.reporter = previous


def phase(name, total, done=0):
    """A new phase of ``total`` steps begins (``done`` of them already done)."""
    reporter = getattr(_STATE, "reporter", None)
    if reporter is not None:
        reporter.start(name, total, done)


def advance(count=1):
    """``count`` more steps of the current phase are done."""
    reporter = getattr(_STATE, "reporter", None)
    if reporter is not None:
        reporter.advance(count)
