"""The subject access pack: what one organisation holds about her, as data, then redacted, then rendered.

`build` reads her records from the organisation answering the request (the hub: every unsealed referral, its
consents, risk assessments and where it was offered; a service provider: the referrals routed to it and the cases it
opened, with their notes, contacts and outcomes) into a plain, JSON-ready structure of sections and items. Every item
has the same shape, so redaction and rendering need to know nothing about referrals or cases:

    {"id": opaque, "kind": "contact", "heading": "...", "facts": [[label, value]], "texts": [[label, text]],
     "staff": [[label, name]], "others": [[label, value]]}

`facts` are codes and dates; `texts` free text written about her (where other people's names turn up); `staff`
who did it; `others` what was recorded about other people (the referrer, who else may answer her phone).
`redact` applies the rules and the reviewer's marks; the result is what she is given, as HTML (`render_html`) and
JSON. Item ids are keyed hashes of the record, stable across rebuilds (the reviewer's marks follow them) and saying
nothing about keys, order or count.

Nothing here is called by a page without the access policy's decision on the request (rights.selectors).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from carehub.accounts.models import Organisation
from carehub.cases.models import Case, Contact
from carehub.core.public_ids import display
from carehub.marac.models import MaracReferral
from carehub.people import crypto
from carehub.people.models import Survivor
from carehub.people.monitoring import EQUALITY_FIELDS, IMMIGRATION_FIELDS
from carehub.referrals import dash
from carehub.referrals.models import Consent, DashAssessment, Offer, Referral, ReferralEvent
from carehub.rights.models import SubjectAccessRequest

FORMAT = "carehub-subject-access/1"
WITHHELD = "[Withheld]"
REDACTED = "[Redacted]"
OTHER_PERSON = "[Redacted: another person]"
STAFF_MEMBER = "A member of staff"
STAFF_IN_TEXT = "[Redacted: member of staff]"
# Staff names shorter than this are not searched for in free text: "Al" would redact half the alphabet.
MIN_NAME_LENGTH = 3


@dataclass
class Pack:
    """The pack before redaction, with what the rules need that the pack itself does not show."""

    data: dict
    other_names: set[str] = field(default_factory=set)  # other people's names recorded in her records
    staff_names: set[str] = field(default_factory=set)  # staff named in her records, or working for the organisation


def item_id(kind: str, pk: int) -> str:
    """A stable, opaque name for one record in the pack: keyed, so it cannot be turned back into a key."""
    return crypto.lookup_hash("rights-item", f"{kind}:{pk}")[:16]


def _person(user) -> str:
    return str(user) if user is not None else ""


def _date(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%-d %B %Y %H:%M")
    return value.strftime("%-d %B %Y")


def _item(kind: str, pk: int, heading: str, **parts) -> dict:
    item = {"id": item_id(kind, pk), "kind": kind, "heading": heading}
    for part in ("facts", "texts", "staff", "others"):
        item[part] = [[label, value] for label, value in parts.get(part, ()) if value not in ("", None, [])]
    return item


class _Opener:
    """Opens sealed fields of her records, each survivor's data key unwrapped once (not once per note)."""

    def __init__(self) -> None:
        self._unsealers: dict[int, object] = {}

    def text(self, survivor: Survivor, token, key: str) -> str:
        value = self.payload(survivor, token).get(key, "")
        return value if isinstance(value, str) else ""

    def payload(self, survivor: Survivor, token) -> dict:
        if not token:
            return {}
        unseal = self._unsealers.get(survivor.pk)
        if unseal is None:
            try:
                unseal = crypto.unsealer(survivor.data_key.wrapped)
            except crypto.KeyDestroyed:
                unseal = _nothing
            self._unsealers[survivor.pk] = unseal
        return unseal(token)


def _nothing(token) -> dict:
    """An erased survivor's sealed fields: nothing can be read."""
    return {}


def her_survivors(survivor: Survivor) -> list[Survivor]:
    """Her survivor records: this one and any a hub worker has confirmed to be the same woman (repeats)."""
    person = survivor.person_id or survivor.pk
    linked = Survivor.objects.select_related("data_key").filter(pk=person) | Survivor.objects.select_related(
        "data_key"
    ).filter(person_id=person)
    found = {s.pk: s for s in linked}
    found[survivor.pk] = survivor
    return [found[pk] for pk in sorted(found)]


def _referrals_of(organisation: Organisation, survivor_ids: list[int], *, sealed_ok: bool):
    referrals = Referral.objects.filter(survivor_id__in=survivor_ids)
    if not sealed_ok:
        referrals = referrals.filter(sealed=False)
    if organisation.kind != Organisation.Kind.HUB:
        referrals = referrals.filter(
            Q(routed_service__organisation=organisation)
            | Q(pk__in=Case.objects.filter(service__organisation=organisation).values("referral_id"))
        )
    return referrals.select_related("referring_organisation", "routed_service", "survivor").order_by("received_at")


def build(request: SubjectAccessRequest) -> Pack:
    """Her records from the request's organisation, unredacted."""
    organisation = request.organisation
    sealed_ok = organisation.is_independent_advisory
    survivors = her_survivors(request.survivor)
    by_pk = {s.pk: s for s in survivors}
    opener = _Opener()
    pack = Pack(data={})
    referrals = list(_referrals_of(organisation, list(by_pk), sealed_ok=sealed_ok))
    for referral in referrals:
        referral.survivor = by_pk.get(referral.survivor_id, referral.survivor)
    referral_ids = [r.pk for r in referrals]
    cases = []
    if organisation.kind != Organisation.Kind.HUB:
        cases = list(
            Case.objects.filter(
                survivor_id__in=list(by_pk),
                service__organisation=organisation,
                **({} if sealed_ok else {"sealed": False}),
            )
            .select_related("service", "caseworker", "referral")
            .order_by("accepted_at", "pk")
        )
    for case in cases:
        case.survivor = by_pk.get(case.survivor_id, request.survivor)

    sections = [
        _identity_section(survivors),
        {"title": "Referrals", "items": [_referral_item(r, opener, pack) for r in referrals]},
        {"title": "Consents, and their history", "items": _consent_items(referral_ids, by_pk, opener, pack)},
        {"title": "Risk assessments", "items": _assessment_items(referral_ids, by_pk, opener, pack)},
        {"title": "Support cases", "items": [_case_item(c, opener, pack) for c in cases]},
        {"title": "Case notes and contacts", "items": _contact_items(cases, opener, pack)},
        {"title": "Outcomes", "items": _outcome_items(cases, pack)},
        {"title": "Organisations her information went to", "items": _recipient_items(referral_ids, cases, pack)},
    ]
    pack.data = {
        "format": FORMAT,
        "request": {
            "reference": display(request.public_id),
            "organisation": organisation.name,
            "received_on": request.received_on.isoformat(),
            "due_on": request.due_on.isoformat(),
        },
        "sections": sections,
    }
    pack.staff_names |= {value for s in sections for i in s["items"] for _, value in i["staff"] if value}
    pack.staff_names |= {
        name
        for name in organisation.memberships.select_related("user").values_list("user__full_name", flat=True)
        if name
    }
    return pack


def _identity_section(survivors: list[Survivor]) -> dict:
    items = []
    for survivor in survivors:
        identity = survivor.identity
        facts = [("Record", display(survivor.public_id))]
        if identity is None:
            facts.append(("Identity", "Erased"))
        else:
            facts += [
                ("Given name", identity.given_name),
                ("Family name", identity.family_name),
                ("Known as", identity.known_as),
                ("Date of birth", _date(identity.date_of_birth)),
                ("Phone", identity.phone),
                ("Email", identity.email),
                ("Address", identity.address),
                ("Postcode", identity.postcode),
            ]
        for name in (*EQUALITY_FIELDS, *IMMIGRATION_FIELDS):
            model_field = Survivor._meta.get_field(name)
            value = getattr(survivor, name)
            if value in ("", None, False):
                continue
            shown = (
                dict(model_field.choices).get(value, value)
                if model_field.choices
                else ("Yes" if value is True else value)
            )
            facts.append((str(model_field.verbose_name).capitalize(), str(shown)))
        items.append(_item("survivor", survivor.pk, "Her details and equality monitoring answers", facts=facts))
    return {"title": "Her details", "items": items}


def _referral_item(referral: Referral, opener: _Opener, pack: Pack) -> dict:
    survivor = referral.survivor
    contact = opener.payload(survivor, referral.contact_sealed)
    safe = contact.get("safe_contact", {}) if isinstance(contact.get("safe_contact"), dict) else {}
    referrer = contact.get("referrer", {}) if isinstance(contact.get("referrer"), dict) else {}
    others = []
    for key, label in (
        ("name", "Referrer's name"),
        ("role", "Referrer's role"),
        ("phone", "Referrer's phone"),
        ("email", "Referrer's email"),
    ):
        value = referrer.get(key, "")
        if isinstance(value, str) and value.strip():
            others.append((label, value.strip()))
            if key == "name":
                pack.other_names.add(value.strip())
    if isinstance(safe.get("others_who_may_answer"), str) and safe["others_who_may_answer"].strip():
        others.append(("Others who may answer her phone", safe["others_who_may_answer"].strip()))
    events = list(ReferralEvent.objects.filter(referral=referral).select_related("actor", "organisation", "service"))
    staff = [("Referred by", _person(referral.referred_by))] if referral.referred_by_id else []
    texts = [
        ("The referrer's account", opener.text(survivor, referral.summary_sealed, "summary")),
        ("Safe times to contact her", safe.get("safe_times", "") if isinstance(safe.get("safe_times"), str) else ""),
        ("Notes on contacting her", safe.get("notes", "") if isinstance(safe.get("notes"), str) else ""),
    ]
    history = []
    for event in events:
        step = (
            f"{_date(event.at)}: {event.get_from_status_display() or 'New'} to {event.get_to_status_display().lower()}"
        )
        if event.service_id:
            step += f" ({event.service.name})"
        history.append(step)
        if event.actor_id:
            staff.append((f"Changed on {_date(event.at)} by", _person(event.actor)))
        if event.note:
            texts.append((f"Note of {_date(event.at)}", event.note))
    facts = [
        ("Reference", referral.reference),
        ("Received", _date(referral.received_at)),
        ("How", referral.get_channel_display()),
        ("Sent by", referral.referring_organisation.name if referral.referring_organisation_id else ""),
        ("Status", referral.get_status_display()),
        ("Risk", referral.get_risk_level_display()),
        ("Who is hurting her", referral.perpetrator_relationship),
        ("Abuse", ", ".join(referral.abuse_types)),
        ("Support wanted", ", ".join(referral.needs)),
        ("Children in her household", "" if referral.children_count is None else str(referral.children_count)),
        ("History", "; ".join(history)),
    ]
    return _item(
        "referral", referral.pk, f"Referral {referral.reference}", facts=facts, texts=texts, staff=staff, others=others
    )


def _consent_items(referral_ids: list[int], by_pk: dict, opener: _Opener, pack: Pack) -> list[dict]:
    consents = Consent.objects.filter(referral_id__in=referral_ids).select_related(
        "referral", "recipient", "recorded_by"
    )
    items = []
    for consent in consents.order_by("recorded_at", "pk"):
        survivor = by_pk[consent.referral.survivor_id]
        what = consent.get_kind_display()
        if consent.recipient_id:
            what += f": {consent.recipient.name}"
        if consent.recipient_kind:
            what += f": {consent.get_recipient_kind_display().lower()}"
        facts = [
            ("Referral", consent.referral.reference),
            ("Consent", what),
            ("Answer", "Given" if consent.given else "Withdrawn or refused"),
            ("Recorded", _date(consent.recorded_at)),
            ("Expires", _date(consent.expires_on)),
        ]
        texts = [("Why it was withdrawn", opener.text(survivor, consent.reason_sealed, "reason"))]
        heading = f"{'Consent given' if consent.given else 'Consent withdrawn'} on {_date(consent.recorded_at)}"
        items.append(
            _item(
                "consent",
                consent.pk,
                heading,
                facts=facts,
                texts=texts,
                staff=[("Recorded by", _person(consent.recorded_by))],
            )
        )
    return items


def _assessment_items(referral_ids: list[int], by_pk: dict, opener: _Opener, pack: Pack) -> list[dict]:
    questions = dash.questions()
    items = []
    assessments = DashAssessment.objects.filter(referral_id__in=referral_ids).select_related("referral", "assessed_by")
    for assessment in assessments.order_by("assessed_at", "pk"):
        survivor = by_pk[assessment.referral.survivor_id]
        answers = "; ".join(
            f"{n}. {questions[n - 1]}: {dash.ANSWER_LABELS.get(assessment.answers.get(str(n), ''), 'Not answered')}"
            for n in range(1, len(questions) + 1)
        )
        facts = [
            ("Referral", assessment.referral.reference),
            ("Assessed", _date(assessment.assessed_at)),
            ("Score", str(assessment.score)),
            ("High risk", "Yes" if assessment.high_risk else "No"),
            ("Reasons", "; ".join(assessment.high_risk_reasons)),
            ("Referred to MARAC", "Yes" if assessment.marac_referral else "No"),
            ("Answers", answers),
        ]
        texts = [
            ("What she is afraid of", opener.text(survivor, assessment.fears_sealed, "fears")),
            ("Professional judgement", assessment.professional_judgement_reason),
        ]
        items.append(
            _item(
                "assessment",
                assessment.pk,
                f"Risk assessment (DASH) of {_date(assessment.assessed_at)}",
                facts=facts,
                texts=texts,
                staff=[("Assessed by", _person(assessment.assessed_by))],
            )
        )
    return items


def _case_item(case: Case, opener: _Opener, pack: Pack) -> dict:
    survivor = case.survivor
    goals = [
        f"{opener.text(survivor, goal.text_sealed, 'text')} ({goal.get_status_display().lower()})"
        for goal in case.goals.all()
    ]
    plans = list(case.safety_plans.select_related("recorded_by"))
    documents = [(opener.payload(survivor, d.details_sealed), d) for d in case.documents.all()]
    texts = [(f"Goal {n}", text) for n, text in enumerate(goals, 1)]
    texts += [
        (f"Safety plan, revision {p.revision} of {_date(p.recorded_at)}", opener.text(survivor, p.plan_sealed, "plan"))
        for p in plans
    ]
    texts += [
        (
            f"Document ({d.get_kind_display().lower()})",
            f"{payload.get('title', '')}; held at {payload.get('held_at', '')}",
        )
        for payload, d in documents
    ]
    texts.append(("Note on closing", opener.text(survivor, case.closure_note_sealed, "reason")))
    facts = [
        ("Case", display(case.public_id)),
        ("Service", case.service.name),
        ("Status", case.get_status_display()),
        ("Accepted", _date(case.accepted_at)),
        ("Opened", _date(case.opened_at)),
        ("Closed", _date(case.closed_at)),
        ("Why it closed", case.get_closure_reason_display() if case.closure_reason else ""),
    ]
    staff = [("Caseworker", _person(case.caseworker))] + [
        (f"Safety plan revision {p.revision} by", _person(p.recorded_by)) for p in plans
    ]
    return _item(
        "case", case.pk, f"Case {display(case.public_id)} at {case.service.name}", facts=facts, texts=texts, staff=staff
    )


def _contact_items(cases: list[Case], opener: _Opener, pack: Pack) -> list[dict]:
    by_pk = {c.pk: c for c in cases}
    contacts = Contact.objects.filter(case_id__in=list(by_pk)).select_related("recorded_by").order_by("on", "pk")
    items = []
    for contact in contacts:
        case = by_pk[contact.case_id]
        facts = [
            ("Case", display(case.public_id)),
            ("Date", _date(contact.on)),
            ("How", contact.get_kind_display()),
            ("Minutes", str(contact.minutes)),
            ("A way she said was not safe was used", "Yes" if contact.unsafe_method else ""),
        ]
        texts = [
            ("Note", opener.text(case.survivor, contact.note_sealed, "note")),
            ("Why that way was used", opener.text(case.survivor, contact.unsafe_reason_sealed, "reason")),
        ]
        items.append(
            _item(
                "contact",
                contact.pk,
                f"{contact.get_kind_display()} on {_date(contact.on)}",
                facts=facts,
                texts=texts,
                staff=[("Recorded by", _person(contact.recorded_by))],
            )
        )
    return items


def _outcome_items(cases: list[Case], pack: Pack) -> list[dict]:
    items = []
    for case in cases:
        for measure in case.outcomes.select_related("recorded_by").order_by("recorded_at", "pk"):
            facts = [("Case", display(case.public_id)), ("When", measure.get_stage_display())]
            if measure.not_answered:
                facts.append(("Answers", measure.get_not_answered_display()))
            else:
                facts += [
                    ("How safe she feels (1 to 10)", str(measure.feels_safe)),
                    ("Her wellbeing (1 to 10)", str(measure.wellbeing)),
                    ("Her quality of life (1 to 10)", str(measure.quality_of_life)),
                    ("Knowing where to get help (1 to 10)", str(measure.confidence_help)),
                    ("The abuse", "; ".join(f"{k}: {v}" for k, v in sorted(measure.abuse.items()))),
                ]
            items.append(
                _item(
                    "outcome",
                    measure.pk,
                    f"Outcome measures, {measure.get_stage_display().lower()}",
                    facts=facts,
                    staff=[("Recorded by", _person(measure.recorded_by))],
                )
            )
    return items


def _recipient_items(referral_ids: list[int], cases: list[Case], pack: Pack) -> list[dict]:
    items = []
    offers = Offer.objects.filter(referral_id__in=referral_ids).select_related(
        "service__organisation", "referral", "offered_by"
    )
    for offer in offers.order_by("offered_at", "pk"):
        items.append(
            _item(
                "offer",
                offer.pk,
                f"Offered to {offer.service.organisation.name}",
                facts=[
                    ("Referral", offer.referral.reference),
                    ("Service", offer.service.name),
                    ("Offered", _date(offer.offered_at)),
                    ("Answer", offer.get_status_display()),
                ],
                staff=[("Offered by", _person(offer.offered_by))],
            )
        )
    for marac in MaracReferral.objects.filter(referral_id__in=referral_ids).select_related("referral"):
        items.append(
            _item(
                "marac",
                marac.pk,
                "Referred to the MARAC (the agencies meeting about her safety)",
                facts=[
                    ("Referral", marac.referral.reference),
                    ("Referred", _date(marac.referred_on)),
                    ("Meeting", _date(marac.meeting_date)),
                ],
            )
        )
    for case in cases:
        for onward in case.onward_referrals.select_related("referral__routed_service__organisation"):
            routed = onward.referral.routed_service
            items.append(
                _item(
                    "onward",
                    onward.pk,
                    "Referred on through the hub",
                    facts=[
                        ("From case", display(case.public_id)),
                        ("Referral", onward.referral.reference),
                        ("To", routed.organisation.name if routed else "Not yet routed"),
                        ("When", _date(onward.created_at)),
                    ],
                )
            )
    return items


# --- redaction ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Redactions:
    """What is taken out before release: the organisation's choice on staff names, and the reviewer's marks."""

    staff_names: bool = False
    passages: tuple[str, ...] = ()
    withheld: frozenset[str] = frozenset()

    def to_payload(self) -> dict:
        return {"passages": list(self.passages), "withheld": sorted(self.withheld)}

    @classmethod
    def from_payload(cls, payload: dict, *, staff_names: bool) -> Redactions:
        return cls(
            staff_names=staff_names,
            passages=tuple(p for p in payload.get("passages", []) if isinstance(p, str) and p.strip()),
            withheld=frozenset(payload.get("withheld", [])),
        )


def _pattern(words: Iterable[str]) -> re.Pattern | None:
    words = sorted({w.strip() for w in words if len(w.strip()) >= MIN_NAME_LENGTH}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(rf"(?<!\w){re.escape(w)}(?!\w)" for w in words), re.IGNORECASE)


def redact(pack: Pack, redactions: Redactions) -> dict:
    """The pack as she may be given it: a new structure (the built pack is left as it was).

    Rules, always: what was recorded about other people (`others`) is replaced, and their names are taken out of
    every free text. By the organisation's choice: staff are "a member of staff", and their names taken out of free
    text. By the reviewer: each marked passage, wherever it occurs, and each marked item, whole. Her own details
    (the identity section) are hers and never redacted, except an item the reviewer withholds.
    """
    passages = _pattern(redactions.passages)
    others = _pattern(pack.other_names)
    staff = _pattern(pack.staff_names) if redactions.staff_names else None

    def clean(text: str) -> str:
        if passages:
            text = passages.sub(REDACTED, text)
        if others:
            text = others.sub(OTHER_PERSON, text)
        if staff:
            text = staff.sub(STAFF_IN_TEXT, text)
        return text

    sections = []
    for section in pack.data["sections"]:
        items = []
        for item in section["items"]:
            if item["id"] in redactions.withheld:
                items.append({"id": item["id"], "kind": item["kind"], "heading": WITHHELD, "withheld": True})
                continue
            items.append(
                {
                    **item,
                    "texts": [[label, clean(text)] for label, text in item["texts"]],
                    "staff": [[label, STAFF_MEMBER] for label, _ in item["staff"]]
                    if redactions.staff_names
                    else item["staff"],
                    "others": [[label, "[Redacted: another person's details]"] for label, _ in item["others"]],
                }
            )
        sections.append({"title": section["title"], "items": items})
    return {**pack.data, "sections": sections}


# --- rendering ---------------------------------------------------------------------------------------------------

# GOV.UK Design System's type scale, colours and tables, in a few lines of its own: the pack is one file that opens
# anywhere (on paper too) with no other file to fetch, so it carries its styles inline. The download's content
# security policy allows exactly this stylesheet, by its hash.
PACK_STYLES = """
body{font-family:arial,sans-serif;color:#0b0c0c;background:#fff;margin:0;line-height:1.32}
.govuk-width-container{max-width:960px;margin:0 15px;padding:20px 0}
@media (min-width:1020px){.govuk-width-container{margin:0 auto}}
.govuk-heading-xl{font-size:2.5rem;font-weight:700;margin:0 0 30px}
.govuk-heading-l{font-size:1.8rem;font-weight:700;margin:40px 0 20px;border-top:2px solid #1d70b8;padding-top:15px}
.govuk-heading-m{font-size:1.3rem;font-weight:700;margin:25px 0 10px}
.govuk-body{font-size:1.1rem;margin:0 0 15px}
.govuk-caption-l{color:#505a5f;font-size:1.2rem;display:block;margin-bottom:5px}
.govuk-summary-list{margin:0 0 20px;font-size:1rem;display:table;width:100%;table-layout:fixed;border-collapse:collapse}
.govuk-summary-list__row{display:table-row;border-bottom:1px solid #b1b4b6}
.govuk-summary-list__key,.govuk-summary-list__value{display:table-cell;padding:8px 20px 8px 0;vertical-align:top;
border-bottom:1px solid #b1b4b6;white-space:pre-wrap;word-wrap:break-word}
.govuk-summary-list__key{font-weight:700;width:35%}
.govuk-inset-text{border-left:10px solid #b1b4b6;padding:10px 15px;margin:15px 0}
.carehub-redaction{background:#0b0c0c;color:#fff;padding:0 3px}
@media print{.govuk-heading-l{page-break-before:auto}.govuk-summary-list__row{page-break-inside:avoid}}
"""


def style_hash() -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(PACK_STYLES.encode()).digest()).decode() + "'"


def render_html(redacted: dict) -> str:
    """The pack as one self-contained, printable HTML document."""
    return render_to_string("rights/pack.html", {"pack": redacted, "styles": PACK_STYLES})
