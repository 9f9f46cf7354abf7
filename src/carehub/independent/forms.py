"""Forms of the independent advisory workspace that are more than a line or two."""

from __future__ import annotations

from carehub.referrals.forms import TriageForm

# What she needs was settled when the referral came straight to this service; the adviser's form asks about risk.
SUPPORT_FIELDS = ("needs", "wants_by_and_for", "language", "interpreter_needed", "worker_gender", "has_nrpf", "age")


class SealedRiskForm(TriageForm):
    """The DASH checklist and the MARAC questions, as the hub asks them, for the adviser of a sealed referral."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in SUPPORT_FIELDS:
            del self.fields[name]
