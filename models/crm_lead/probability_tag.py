from collections import defaultdict

from odoo import api, fields, models

from .status import OPEN_STATUSES


class CrmLeadProbabilityTag(models.Model):
    """A probability tag sets the probability of an open opportunity, and keeps it when the
    opportunity moves to another (not won) stage."""

    _inherit = "crm.lead"

    probability_tag_id = fields.Many2one(
        "crm.probability.tag", string="Probability tag", index=True, ondelete="restrict",
        track_visibility="onchange")
    # With the user's rights (every sales user reads the tags): read as superuser, the related
    # field re-read every column of the opportunities (a kanban card shows it).
    probability_tag_color = fields.Char(related="probability_tag_id.color_hex", readonly=True,
                                        related_sudo=False)

    @api.onchange("probability_tag_id")
    def _onchange_probability_tag_id(self):
        if self.probability_tag_id and self.status in OPEN_STATUSES:
            self.probability = self.probability_tag_id.percentage

    @api.model
    def create(self, vals):
        if vals.get("probability_tag_id") and "probability" not in vals:
            vals = dict(vals, probability=self.env["crm.probability.tag"].browse(
                vals["probability_tag_id"]).percentage)
        return super().create(vals)

    @api.multi
    def write(self, vals):
        by_probability = self._probabilities_from_tags(vals)
        if not by_probability:
            return super().write(vals)
        rest = self
        for probability, leads in by_probability.items():
            super(CrmLeadProbabilityTag, leads).write(dict(vals, probability=probability))
            rest -= leads
        if rest:
            super(CrmLeadProbabilityTag, rest).write(vals)
        return True

    def _probabilities_from_tags(self, vals):
        """Group the open leads of this write by the probability their probability tag imposes.

        Choosing a tag sets the probability; moving an open lead that carries a tag to another
        non-won stage keeps the tag's probability instead of the stage's.
        """
        if "probability" in vals or not (vals.get("probability_tag_id") or vals.get("stage_id")):
            return {}
        # read() of two columns: on thousands of leads (imports), filtering on fields would
        # load every column of every record.
        rows = self.read(["status", "probability_tag_id"], load="_classic_write")
        open_ids = [row["id"] for row in rows if row["status"] in OPEN_STATUSES]
        if vals.get("probability_tag_id"):
            tag = self.env["crm.probability.tag"].browse(vals["probability_tag_id"])
            return {tag.percentage: self.browse(open_ids)} if open_ids else {}
        if self.env["crm.stage"].browse(vals["stage_id"]).probability >= 100:
            return {}
        percentages = {tag.id: tag.percentage for tag in self.env["crm.probability.tag"].search(
            [("id", "in", [row["probability_tag_id"] for row in rows])])}
        groups = defaultdict(list)
        for row in rows:
            if row["status"] in OPEN_STATUSES and row["probability_tag_id"]:
                groups[percentages[row["probability_tag_id"]]].append(row["id"])
        return {percentage: self.browse(ids) for percentage, ids in groups.items()}
