import logging

from odoo import api, models

from .crm_background_job_mixin import LOCK_NAMESPACE

_logger = logging.getLogger(__name__)

# The addon's jobs: each holds the advisory lock (LOCK_NAMESPACE, its id) while it runs
# (crm.background.job.mixin._run_as_job).
LOCKED_JOBS = (("crm.lead.import.log", "_run_in_background"),
               ("crm.background.operation", "_run_operation"))
# Seconds between queue_job marking a job started and the job taking its lock (a few
# milliseconds of Python): a job started more recently is left alone.
STARTED_GRACE = 5
# queue_job's runner puts a job it could not hand to a worker back to "pending" after one
# second; one still "enqueued" after a minute was handed to a server that died.
ENQUEUED_GRACE = 60


class QueueJob(models.Model):
    """queue_job 11.0 never runs again a job left "started" (or "enqueued") by a server that
    was killed: its runner counts it as running for good, and it blocks its channel. The
    addon's own jobs are requeued here when nothing runs them any more, which their advisory
    lock tells: PostgreSQL releases it when the connection of the process holding it ends.
    Their work is done exactly once in effect however often they run (_run_as_job)."""

    _inherit = "queue.job"

    @api.model_cr
    def _register_hook(self):
        super()._register_hook()
        # Each server that loads the registry (a restart after a crash) requeues at once;
        # the scheduled action does it every minute (a database restarted under a running
        # server).
        self._cos_requeue_dead_jobs()

    @api.model
    def _cos_requeue_dead_jobs(self):
        """Requeue the addon's jobs whose worker died; a job that died too often (each time
        it ran, e.g. killed for running longer than limit_time_real) fails instead."""
        # Fixed SQL; every value is a parameter. pg_locks shows the locks of every session.
        self.env.cr.execute("""
            SELECT job.id FROM queue_job job
            WHERE (job.model_name, job.method_name) IN %s
              AND ((job.state = 'started' AND job.date_started
                    < (clock_timestamp() AT TIME ZONE 'UTC') - %s * interval '1 second')
                   OR (job.state = 'enqueued' AND job.date_enqueued
                       < (clock_timestamp() AT TIME ZONE 'UTC') - %s * interval '1 second'))
              AND NOT EXISTS (
                  SELECT 1 FROM pg_locks lock
                  WHERE lock.locktype = 'advisory' AND lock.classid = %s::oid
                    AND lock.objid = job.id::oid AND lock.objsubid = 2
                    AND lock.database = (SELECT oid FROM pg_database
                                         WHERE datname = current_database()))
            FOR UPDATE OF job SKIP LOCKED
        """, (LOCKED_JOBS, STARTED_GRACE, ENQUEUED_GRACE, LOCK_NAMESPACE))
        dead = self.browse([row[0] for row in self.env.cr.fetchall()])
        for job in dead:
            tries = job.retry + 1
            _logger.warning("job %s (%s) was left %s by a worker that stopped: %s", job.uuid,
                            job.name, job.state, "requeued" if tries < job.max_retries or
                            not job.max_retries else "failed")
            if job.max_retries and tries >= job.max_retries:
                job.write({"state": "failed", "retry": tries, "exc_info": (
                    "The worker running this job stopped %d times (killed, restarted, or "
                    "over the server's time limits)." % tries)})
            else:
                job.write({"state": "pending", "retry": tries, "date_enqueued": False,
                           "date_started": False, "result": "Requeued: its worker stopped."})
        return dead

    @api.multi
    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") == "failed":
            for job in self.filtered(lambda j: (j.model_name, j.method_name) in LOCKED_JOBS):
                job._cos_tell_failure()
        return result

    def _cos_tell_failure(self):
        """The addon's job failed for good: its record says so and its user is told."""
        lines = [line for line in (self.exc_info or "").strip().splitlines() if line.strip()]
        reason = lines[-1].strip() if lines else ""
        # As superuser (queue_job writes the failure so): the record of this job only.
        records = self.env[self.model_name].sudo().browse(self.record_ids or []).exists()
        for record in records:
            try:
                with self.env.cr.savepoint():
                    record.with_context(lang=record.user_id.lang or "en_US")._job_failed(reason)
            except Exception:  # pylint: disable=broad-except
                # The failure is stored whatever happens to the notice.
                _logger.exception("could not record the failure of job %s", self.uuid)
