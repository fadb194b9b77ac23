"""Background jobs (issue 18 point 3): the import's progress on its log, and the requeue of
the jobs whose worker died."""
from unittest.mock import patch

from ..models.crm_background_job_mixin import LOCK_NAMESPACE
from .test_background_jobs import BackgroundCase


class TestBackgroundImportAndRequeue(BackgroundCase):

    def test_the_import_log_shows_each_phase_with_rows_done_and_total(self):
        lead1, lead2 = self.leads(2)
        content = ("ID,Expected revenue\r\n%d,100\r\n%d,200\r\n" % (lead1.id, lead2.id)
                   ).encode()
        log = self.env["crm.lead.import.log"]._enqueue(
            "big.csv", content, {0: "id", 1: "expected_revenue"}, True, False, True)
        self.assertEqual((log.state, log.job_state), ("queued", "pending"))
        Engine = type(self.env["crm.lead.import.engine"])
        seen = []
        original = Engine._write_plan

        def watch(engine, plan, skip_invalid):
            log.invalidate_cache()
            seen.append((log.progress_phase, log.progress_done, log.progress_total))
            return original(engine, plan, skip_invalid)

        with patch.object(Engine, "_write_plan", watch):
            self.run_job(log)
        self.assertEqual(seen, [("write", 0, 2)])
        log.invalidate_cache()
        self.assertEqual((log.state, log.updated_count), ("done", 2))
        self.assertEqual((log.progress_phase, log.progress_done, log.progress_total),
                         ("notes", 2, 2))
        self.assertEqual(lead1.planned_revenue, 100)
        self.run_job(log)
        self.assertEqual(len(self.notes(lead1, "Updated by the import")), 1)

    def test_jobs_whose_worker_died_are_requeued_and_running_ones_left_alone(self):
        QueueJob = self.env["queue.job"]
        operations = [self.Operation.browse(self.close_wizard(self.leads(3)).action_close()[
            "res_id"]) for _index in range(4)]
        dead, running, just_started, dying = [self.queue_job(op) for op in operations]
        self.env.cr.execute(
            "UPDATE queue_job SET state = 'started', date_started = (now() AT TIME ZONE "
            "'UTC') - interval '5 minutes' WHERE id IN %s",
            (tuple((dead | running | just_started | dying).ids),))
        # (now() is the start of the test's transaction; the requeue reads the clock.)
        self.env.cr.execute("UPDATE queue_job SET date_started = clock_timestamp() AT TIME "
                            "ZONE 'UTC' WHERE id = %s", (just_started.id,))
        self.env.cr.execute("UPDATE queue_job SET retry = max_retries - 1 WHERE id = %s",
                            (dying.id,))
        QueueJob.invalidate_cache()
        # A live worker holds its job's lock on its own connection.
        with self.registry.cursor() as worker:
            worker.execute("SELECT pg_advisory_lock(%s, %s)", (LOCK_NAMESPACE, running.id))
            requeued = QueueJob._cos_requeue_dead_jobs()
            worker.execute("SELECT pg_advisory_unlock(%s, %s)", (LOCK_NAMESPACE, running.id))
        self.assertEqual(requeued, dead | dying)
        self.assertEqual((dead.state, dead.retry), ("pending", 1))
        self.assertEqual((running.state, just_started.state), ("started", "started"))
        self.assertEqual(dying.state, "failed")
        self.assertIn("stopped 5 times", dying.exc_info)
        operation = operations[3]
        self.assertEqual(operation.state, "failed")
        self.assertIn("failed. Nothing was changed.", self.notices(operation).body)
