"""What the hub keeps to recognise a survivor who comes back: hub workers' decisions on suggestions.

The linkage keys suggestions are found by live with the survivor (people.models.LinkageRecord): people writes them
with her identity, repeats only reads them.

A `MatchDecision` is a hub worker's answer to one suggestion ("this new referral is the same woman as that earlier
one", or "not the same person"). Confirmed decisions are the links that join survivors into one person.

Design: a confirmed decision links two survivors; it never re-points the new referral to the earlier survivor.
Re-pointing would mean re-encrypting the new referral's sealed contact details and risk notes under the earlier
survivor's data key and writing the new identity (a new address, a new phone) over the earlier one, or losing one of
them; a wrong confirmation would then overwrite one woman's contact details with another's, and could not be undone.
A link changes nothing that was recorded: each referral keeps the identity given with it, under its own key, and
erasing one survivor erases exactly what it did before. Her history is every survivor her confirmed links reach
(selectors.linked_survivor_ids), as a case's journey is every case its onward referrals reach. The referral itself
records the result for analysis: `Referral.is_repeat` and `previous_referral` (services.match_decide). For analysis
at scale, confirming also records the person on every survivor record she has (`Survivor.person`, kept by
services._join_people), so a re-referral on another of her records counts as her coming back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from carehub.core.public_ids import display, new_public_id
from carehub.people.models import Survivor
from carehub.referrals.models import Referral


class Outcome(models.TextChoices):
    CONFIRMED = "confirmed", "Same person"
    REJECTED = "rejected", "Not the same person"


class MatchDecision(models.Model):
    """A hub worker's decision on a suggested pair: the survivor of `referral` and an earlier survivor.

    One decision per pair, whoever makes it: a second submission of the same decision changes nothing, and a
    different decision on a pair already decided is refused (services.match_decide).
    """

    public_id = models.CharField(
        max_length=12, unique=True, default=new_public_id, editable=False, help_text="Shown to people (never the key)."
    )
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="match_decisions")
    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="+")
    earlier_referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="+")
    earlier_survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    probability = models.FloatField(help_text="The match probability shown when the decision was made.")
    decided_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # A confirmation found to be wrong is undone (services.match_undo): the outcome becomes "not the same person" and
    # these say who changed it, when and why; the first decision's author, time and probability stay as they were.
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undo_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["decided_at", "pk"]
        indexes = [models.Index(fields=["earlier_survivor", "outcome"], name="match_earlier_idx")]
        constraints = [
            models.UniqueConstraint(fields=["survivor", "earlier_survivor"], name="match_one_decision_per_pair"),
        ]

    def __str__(self) -> str:
        return f"Match decision {display(self.public_id)}: {self.outcome}"

    @property
    def percent(self) -> int:
        """The probability shown, in whole per cent rounded down (matching.Suggestion.percent)."""
        return int(self.probability * 100)
