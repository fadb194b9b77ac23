"""A hostile client and the background jobs (issue 18): over authenticated RPC as the demo
rep, a job is only ever started for the caller, with what the caller may do, and its record
is written by the job alone."""
import json

from odoo.exceptions import AccessError

from odoo.addons.queue_job.job import Job

from .common import SecurityCase


class TestBackgroundJobsOverRpc(SecurityCase):

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].set_param(
            "crm_opportunity_suite.background_opportunities", "0")
        self.Operation = self.env["crm.background.operation"]
        self.track = self.env["crm.track"].create({"name": "Follow-up", "task_ids": [
            (0, 0, {"activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                    "summary": "Call", "offset_days": 1})]})

    def start_track(self, user, leads, **context):
        context = dict(context, active_model="crm.lead", active_ids=leads.ids)
        wizard_id = self.rpc(user, "crm.lead.track.apply", "create", {
            "track_id": self.track.id, "end_date": "2027-03-01"}, context=context)
        action = self.rpc(user, "crm.lead.track.apply", "action_apply", [wizard_id],
                          context=context)
        return self.Operation.browse(action["res_id"])

    def run_job(self, operation):
        job = self.env["queue.job"].search([("uuid", "=", operation.job_uuid)])
        return Job.load(self.env, job.uuid).perform()

    def test_a_job_is_started_for_the_caller_with_what_the_caller_may_do(self):
        # A context that names another user or internal switches changes none of it.
        operation = self.start_track(self.demo, self.mine | self.mine2, uid=1,
                                     default_user_id=1, tracking_disable=True)
        self.assertEqual((operation.user_id, operation.kind), (self.demo, "track"))
        job = self.env["queue.job"].search([("uuid", "=", operation.job_uuid)])
        self.assertEqual((job.user_id, job.args, job.kwargs), (self.demo, [], {}))
        self.assertEqual(set(json.loads(operation.params)), {"ids", "track_id", "end_date"})
        self.run_job(operation)
        self.assertEqual(operation.state, "done")
        self.assertEqual((self.mine | self.mine2).mapped("applied_track_ids.track_id"),
                         self.track)
        # Another rep's opportunity among them: refused before anything is queued.
        count = self.Operation.search_count([])
        with self.assertRaises(AccessError):
            self.start_track(self.demo, self.mine | self.theirs)
        self.assertEqual(self.Operation.search_count([]), count)
        self.assertFalse(self.theirs.applied_track_ids)

    def test_a_rep_cannot_close_in_bulk_through_a_job(self):
        context = {"active_model": "crm.lead", "active_ids": (self.mine | self.mine2).ids}
        wizard_id = self.rpc(self.demo, "crm.lead.bulk.close", "create", {
            "outcome": "won"}, context=context)
        jobs = self.env["queue.job"].search_count([])
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "crm.lead.bulk.close", "action_close", [wizard_id],
                     context=context)
        self.assertEqual(self.env["queue.job"].search_count([]), jobs)
        self.assertEqual(self.lead_state(self.mine | self.mine2)[0][1], "open")

    def test_operation_records_are_written_by_the_operations_alone(self):
        operation = self.start_track(self.demo, self.mine)
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "crm.background.operation", "create", {
                "name": "Forged", "kind": "close", "params": json.dumps(
                    {"ids": [self.theirs.id], "won": True})})
        forged = json.dumps({"ids": [self.theirs.id], "track_id": self.track.id,
                             "end_date": "2027-03-01"})
        for vals in ({"params": forged}, {"user_id": self.other_rep.id}, {"state": "done"},
                     {"done_count": 5}, {"job_uuid": "x"}):
            with self.assertRaises(AccessError):
                self.rpc(self.demo, "crm.background.operation", "write", operation.ids, vals)
        for method in ("_run_operation", "_perform", "_start", "_run_as_job"):
            with self.assertRaisesRegex(AccessError, "Private methods"):
                self.rpc(self.demo, "crm.background.operation", method, operation.ids)
        # Another user's operation is not even readable.
        self.set_password(self.other_rep, "oscar-rep")
        theirs = self.start_track(self.other_rep, self.theirs)
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "crm.background.operation", "read", theirs.ids, ["name"])
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "crm.background.operation", "unlink", operation.ids)

    def test_tampered_parameters_reach_only_what_the_user_may_write(self):
        operation = self.start_track(self.demo, self.mine)
        # Changed in the database: the job, run as the demo rep, finds only the rep's own.
        self.env.cr.execute("UPDATE crm_background_operation SET params = %s WHERE id = %s", (
            json.dumps({"ids": [self.mine.id, self.theirs.id], "track_id": self.track.id,
                        "end_date": "2027-03-01"}), operation.id))
        operation.invalidate_cache()
        self.run_job(operation)
        self.assertEqual((operation.state, operation.result),
                         ("done", "The track \"Follow-up\" was added to 1 opportunities."))
        self.assertTrue(self.mine.applied_track_ids)
        self.assertFalse(self.theirs.applied_track_ids)

    def test_a_job_requeued_for_another_user_refuses_to_run(self):
        operation = self.start_track(self.demo, self.mine)
        self.env.cr.execute("UPDATE queue_job SET user_id = %s WHERE uuid = %s",
                            (self.other_rep.id, operation.job_uuid))
        self.env["queue.job"].invalidate_cache()
        with self.assertRaises(AccessError):
            self.run_job(operation)
        self.assertFalse(self.mine.applied_track_ids)
        self.assertEqual(operation.state, "queued")
