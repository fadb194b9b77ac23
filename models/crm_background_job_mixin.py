import logging
import threading
import time
from contextlib import closing, nullcontext

import psycopg2

from odoo import _, api, fields, models, sql_db
from odoo.exceptions import AccessError, except_orm

from odoo.addons.queue_job.exception import RetryableJobError

from ..lib import progress

_logger = logging.getLogger(__name__)

# First key of the PostgreSQL advisory lock a running job holds (the second is its queue_job
# id): "COS". queue_job.py tells a job whose server died from a running one by it.
LOCK_NAMESPACE = 0x434F53
# Seconds between two writes of a job's progress (and one at every new phase).
PROGRESS_INTERVAL = 0.5
# How long a job that lost its connection to PostgreSQL waits for the database to answer
# again before it hands itself back to the queue anyway.
RECONNECT_WAIT = 60

JOB_STATES = [("pending", "Waiting"), ("enqueued", "Handed to a worker"),
              ("started", "Running"), ("done", "Done"), ("failed", "Failed")]
PHASES = [("read", "Reading the file"), ("check", "Checking the rows"), ("write", "Writing"),
          ("notes", "Writing the chatter notes"), ("close", "Closing the opportunities"),
          ("track", "Applying the track"), ("send", "Sending the documents")]


def testing():
    """Odoo's and pytest-odoo's test runners mark their thread: one transaction, never
    committed, and no second connection that would see nothing of it."""
    return getattr(threading.currentThread(), "testing", False)


class CrmBackgroundJobMixin(models.AbstractModel):
    """A record whose work runs in a queue_job job (an import, a background operation): the
    job's state and progress for the user, and _run_as_job(), which runs the work exactly
    once in effect whatever happens to the server or the database meanwhile."""

    _name = "crm.background.job.mixin"
    _description = "Work run by a background job"

    job_uuid = fields.Char(string="Job", readonly=True, copy=False)
    job_state = fields.Selection(JOB_STATES, string="Job state", compute="_compute_job_state")
    progress_phase = fields.Selection(PHASES, string="Step", compute="_compute_progress")
    progress_done = fields.Integer(string="Done", compute="_compute_progress")
    progress_total = fields.Integer(string="Total", compute="_compute_progress")

    def _compute_job_state(self):
        uuids = [record.job_uuid for record in self if record.job_uuid]
        # As superuser: queue.job is its managers'; only the state of this record's own job
        # is read.
        jobs = self.env["queue.job"].sudo().search([("uuid", "in", uuids)]) if uuids else []
        states = {job.uuid: job.state for job in jobs}
        for record in self:
            record.job_state = states.get(record.job_uuid, False)

    def _compute_progress(self):
        ids = tuple(record.id for record in self if isinstance(record.id, int))
        rows = {}
        if ids:
            # Fixed SQL; the model's name and the ids are parameters. The progress table is
            # written by the jobs alone (_progress_writer), no user reads it directly.
            self.env.cr.execute("SELECT res_id, phase, done, total FROM crm_background_progress "
                                "WHERE res_model = %s AND res_id IN %s", (self._name, ids))
            rows = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        for record in self:
            phase, done, total = rows.get(record.id, (False, 0, 0))
            record.progress_phase = phase
            record.progress_done = done
            record.progress_total = total or record._progress_total_before_start()

    def _progress_total_before_start(self):
        """The total shown before the job reports any (0: unknown)."""
        return 0

    # ------------------------------------------------------------------ running the job

    def _run_as_job(self, work, atomic=True):
        """Run ``work(record)`` as this record's job, with the same effect as one run whatever
        happens meanwhile:

        - as the user who asked for it (queue_job runs a job as the user who queued it; a
          record of another user is refused) and in their language;
        - atomic: the work, the record's "done" marker and queue_job's own "done" state are
          committed together (queue_job commits after the job returns): a job killed before
          that left nothing behind and runs again from the start. Not atomic: the work
          commits chunk after chunk, each with its marker (_commit_chunk), and a new run goes
          on after the last chunk committed;
        - holding a PostgreSQL advisory lock keyed on the job until that commit: a job whose
          server was killed holds none, which is how queue.job's requeue
          (_cos_requeue_dead_jobs) tells it from a running one, and a second run of the same
          job waits for the first;
        - a business error (a refusal, a rule): nothing of the work is kept (of the current
          chunk when not atomic), the record says why and the user is told (_job_refused);
          the job ends, as running it again would fail the same way;
        - the connection to PostgreSQL lost (a restart): once the database answers again
          the job goes back to the queue (RetryableJobError) and runs again.

        Its progress is written in transactions of its own (lib/progress.py), so that the
        user sees it while the job's transaction is open."""
        self.ensure_one()
        if self.env.uid != self.user_id.id:
            raise AccessError(_("This background job belongs to another user."))
        record = self.with_context(lang=self.user_id.lang or "en_US", tz=self.user_id.tz)
        cr = self.env.cr
        job_id = record._running_job_id()
        if job_id:
            # Fixed SQL; the keys are integers.
            cr.execute("SELECT pg_advisory_lock(%s, %s)", (LOCK_NAMESPACE, job_id))
            if not testing():
                # A fresh snapshot, after whatever another run of this job, which held the
                # lock until its commit, wrote.
                cr.commit()  # pylint: disable=invalid-commit (nothing written yet)
        finished = False
        try:
            with progress.reporting(record._progress_writer(), PROGRESS_INTERVAL) as reporter:
                try:
                    with (cr.savepoint() if atomic else nullcontext()):
                        result = work(record)
                        if reporter.phase:
                            reporter.flush()  # the last figures, not those of a second ago
                except except_orm as error:
                    record.env.clear()  # what the rolled-back work left in the cache
                    message = error.name or str(error)
                    record._job_refused(message)
                    result = message
            finished = True
            return result
        except psycopg2.Error as error:
            # Errors of a statement carry an SQLSTATE (a serialization failure, which
            # queue_job retries by itself, a constraint...); the loss of the connection
            # (PostgreSQL restarted) raises errors without one, of several classes.
            if error.pgcode or not self._connection_lost():
                raise
            _logger.warning("%s %s: the connection to the database was lost (%s); the job "
                            "goes back to the queue.", self._name, self.id, error)
            self._wait_for_database()
            raise RetryableJobError(_("The connection to the database was lost: the job runs "
                                      "again."), seconds=2, ignore_retry=True)
        finally:
            if job_id:
                self._release_job_lock(job_id, at_commit=finished)

    def _connection_lost(self):
        try:
            # Fixed SQL.
            self.env.cr.execute("SELECT 1", log_exceptions=False)
        except psycopg2.Error as error:
            return not error.pgcode  # an aborted transaction still answers, with a code
        return False

    def _running_job_id(self):
        """The queue_job id of the job running this code (queue_job puts its uuid in the
        context of the job's records), None when called directly."""
        uuid = self.env.context.get("job_uuid")
        if not uuid:
            return None
        # Fixed SQL; the uuid is a parameter.
        self.env.cr.execute("SELECT id FROM queue_job WHERE uuid = %s", (uuid,))
        row = self.env.cr.fetchone()
        return row and row[0]

    def _release_job_lock(self, job_id, at_commit):
        cr = self.env.cr

        def unlock():
            try:
                # Fixed SQL; the keys are integers.
                cr.execute("SELECT pg_advisory_unlock(%s, %s)", (LOCK_NAMESPACE, job_id),
                           log_exceptions=False)
            except psycopg2.Error:
                # The connection is gone, and the lock with it.
                _logger.debug("lock of job %s gone with its connection", job_id)
        if at_commit and not testing():
            # Held until queue_job commits the work with the job's "done" state: until then
            # the job is not done.
            cr.after("commit", unlock)
            cr.after("rollback", unlock)
        else:
            unlock()

    def _progress_writer(self):
        """Write the progress of this record's job: in a transaction of its own, committed at
        once (in tests, where there is one transaction, in it). The job's own transaction
        never writes the progress table, so the two never wait for each other."""
        key = (self._name, self.id)

        def write(phase, done, total):
            if testing():
                self._store_progress(self.env.cr, key, phase, done, total)
                return
            with self.pool.cursor() as cr:
                self._store_progress(cr, key, phase, done, total)
        return write

    @staticmethod
    def _store_progress(cr, key, phase, done, total):
        # Fixed SQL; every value is a parameter.
        cr.execute("INSERT INTO crm_background_progress (res_model, res_id, phase, done, total, "
                   "date) VALUES (%s, %s, %s, %s, %s, now() AT TIME ZONE 'UTC') "
                   "ON CONFLICT (res_model, res_id) DO UPDATE SET phase = EXCLUDED.phase, "
                   "done = EXCLUDED.done, total = EXCLUDED.total, date = EXCLUDED.date",
                   key + (phase, done, total))

    @api.model
    def _wait_for_database(self):
        if testing():
            return
        deadline = time.time() + RECONNECT_WAIT
        while time.time() < deadline:
            try:
                with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as cr:
                    cr.execute("SELECT 1")
                    return
            except psycopg2.Error:
                time.sleep(1)

    def _commit_chunk(self):
        """Not atomic: commit the chunk just done together with its marker, which the caller
        wrote in the same transaction."""
        if not testing():
            self.env.cr.commit()  # pylint: disable=invalid-commit (a chunk and its marker)

    # ------------------------------------------------------------------ for the records

    def _notify_owner(self, body, subject, attachments=None):
        """Tell the user who asked, in the inbox or by e-mail as their preferences say. In the
        name of their company: the job runs as the user, and Odoo notifies nobody of their
        own messages."""
        self.message_post(body=body, subject=subject, partner_ids=self.user_id.partner_id.ids,
                          author_id=self.user_id.company_id.partner_id.id,
                          attachments=attachments or [], subtype="mail.mt_comment")

    def _job_refused(self, message):
        """The work was refused (``message``, in the user's language): record it on this
        record and tell the user. Runs in the job's transaction."""
        raise NotImplementedError()

    def _job_failed(self, reason):
        """queue_job gave up on this record's job (an unexpected error, or its worker died
        too often): tell the user. Called as superuser by queue.job."""
        raise NotImplementedError()
