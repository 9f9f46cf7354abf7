"""Build tests/world.py's small London in the database the environment names, for the browser tests' real server.

Run as a subprocess after `carehub migrate` (the browser tests' conftest does both), never inside pytest: the server
is a separate process with its own database, so the world must be committed, not held in a test transaction.
Prints, as JSON on stdout, the facts the tests need but cannot look up themselves without a database connection.
"""

from __future__ import annotations

import json
import os
import sys
from decimal import Decimal
from pathlib import Path

# `tests` is a package at the project root, which is not on the path when this file runs as a script.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.browser.hub_settings")

import django


def offered_to_quaymarsh(world):
    """A self-referral (with two abuse types, for the outcome questions) that the hub has triaged and offered to
    Quaymarsh IDVA: nobody but test_case_to_closure.py touches it."""
    import datetime as dt

    from carehub.people.models import Identity
    from carehub.referrals import services as referral_services
    from carehub.referrals.models import Channel

    # Unlike every other survivor of the world (date of birth, postcode, names), so no repeat is suggested.
    identity = Identity(
        given_name="Rosalind",
        family_name="Closuremarker",
        date_of_birth=dt.date(1979, 11, 2),
        phone="07700 900456",
        postcode="SE5 8QN",
    )
    details = referral_services.ReferralDetails(abuse_types=["coercive_control", "stalking"], needs=["idva"])
    referral, _ = referral_services.referral_create(
        actor=None,
        organisation=None,
        request=referral_services.IntakeRequest(channel=Channel.SELF, identity=identity, details=details),
    )
    hub = world.users["hana"]
    referral_services.referral_triage(
        actor=hub,
        referral=referral,
        expected_version=referral.version,
        triage=referral_services.TriageInput(answers={n: "no" for n in range(1, 25)}),
    )
    referral.refresh_from_db()
    referral_services.offer_create(
        actor=hub,
        referral=referral,
        service=world.services["solace"],
        expected_version=referral.version,
        hub_reason="Local IDVA service",
    )
    return referral


def high_risk_in_triage(world):
    """A professional referral triaged today at high risk (DASH 15 of 24, so MARAC criteria met) and not yet offered:
    the newest in the triage queue, which must still show it first. Read by test_queues.py alone."""
    import datetime as dt

    from carehub.people.models import Identity
    from carehub.referrals import services as referral_services
    from carehub.referrals.models import Channel

    identity = Identity(
        given_name="Marigold",
        family_name="Riskmarker",
        date_of_birth=dt.date(1991, 4, 17),
        phone="07700 900789",
        postcode="N16 7AB",
    )
    details = referral_services.ReferralDetails(
        abuse_types=["physical", "coercive_control"], needs=["idva", "legal_immigration"]
    )
    referral, _ = referral_services.referral_create(
        actor=None,
        organisation=None,
        request=referral_services.IntakeRequest(channel=Channel.SELF, identity=identity, details=details),
    )
    referral_services.referral_triage(
        actor=world.users["hana"],
        referral=referral,
        expected_version=referral.version,
        triage=referral_services.TriageInput(answers={n: "yes" if n <= 15 else "no" for n in range(1, 25)}),
    )
    referral.refresh_from_db()
    return referral


SAFE_WORD = "BLUEBELL"


def high_risk_with_safe_contact(world):
    """Issue 12's woman: "only text me, never call after 6pm, safe word BLUEBELL". A self-referral from Hackney,
    triaged at high risk (DASH 16, so a MARAC referral in Hackney) and offered to Quaymarsh IDVA, which has not yet
    accepted it. Read by test_risk_drives_the_work.py alone, which accepts it, allocates it and closes it."""
    import datetime as dt

    from carehub.marac.models import MaracReferral
    from carehub.people.models import Identity
    from carehub.referrals import services as referral_services
    from carehub.referrals.models import Channel

    identity = Identity(
        given_name="Bryony",
        family_name="Safewordmarker",
        date_of_birth=dt.date(1986, 6, 9),
        phone="07700 900321",
        postcode="E8 1DY",
    )
    details = referral_services.ReferralDetails(
        borough="E09000012", abuse_types=["physical", "stalking"], needs=["idva", "legal_immigration"]
    )
    contact = referral_services.SafeContact(
        text_ok=True, safe_times="never call after 6pm", safe_word=SAFE_WORD, others_who_may_answer="her sister"
    )
    referral, _ = referral_services.referral_create(
        actor=None,
        organisation=None,
        request=referral_services.IntakeRequest(
            channel=Channel.SELF, identity=identity, details=details, contact=contact
        ),
    )
    hub = world.users["hana"]
    referral_services.referral_triage(
        actor=hub,
        referral=referral,
        expected_version=referral.version,
        triage=referral_services.TriageInput(answers={n: "yes" if n <= 16 else "no" for n in range(1, 25)}),
    )
    referral.refresh_from_db()
    referral_services.offer_create(
        actor=hub,
        referral=referral,
        service=world.services["solace"],
        expected_version=referral.version,
        hub_reason="IDVA for a woman at high risk",
    )
    return referral, MaracReferral.objects.get(referral=referral)


def sealed_safe_contact(world) -> None:
    """The sealed referral's safe-contact answers, for the independent adviser's workspace."""
    from carehub.referrals.models import Referral

    referral = world.referrals["sealed"]
    payload = {"safe_contact": {"email_ok": True, "safe_word": "KINGFISHER", "safe_times": "weekday mornings"}}
    Referral.objects.filter(pk=referral.pk).update(contact_sealed=referral.survivor.seal_for(payload))


def immigration_advice_service(world) -> None:
    """An immigration advice service, so that routing a woman at high risk who also asked for immigration advice has
    a choice to make: the IDVAs must still come first."""
    from carehub.core.choices import ServiceType
    from tests import factories as f

    f.ServiceFactory(
        organisation=world.orgs["sistah"],
        name="Kestrel Rise Immigration Advice",
        service_type=ServiceType.LEGAL_IMMIGRATION,
    )


def closed_for_feedback(world):
    """A case at Kestrel Rise (by-and-for), closed, whose woman said texts are safe; and nine earlier feedback answers
    for that service this quarter, waiting in the holding pool, so that the tenth (test_coproduction.py's survivor)
    makes a batch the daily flush moves, and the service reaches the threshold."""
    import datetime as dt

    from django.utils import timezone

    from carehub.cases.models import CaseStatus
    from carehub.coproduction.models import FeedbackHeld
    from carehub.coproduction.services import quarter_of
    from carehub.referrals.models import Status
    from tests import factories as f

    service = world.services["sistah"]
    referral = f.ReferralFactory(survivor__family_name="Feedbackmarker", status=Status.ACCEPTED, routed_service=service)
    referral.contact_sealed = referral.survivor.seal_for({"safe_contact": {"text_ok": True, "email_ok": False}})
    referral.save(update_fields=["contact_sealed"])
    now = timezone.now()
    case = f.CaseFactory(
        referral=referral, service=service, caseworker=world.users["bola"], status=CaseStatus.CLOSED,
        opened_at=now - dt.timedelta(days=90), closed_at=now, closure_reason="completed",
    )  # fmt: skip
    quarter = quarter_of(timezone.localdate())
    for i in range(9):
        FeedbackHeld.objects.create(
            service=service, quarter=quarter, held_in=quarter, felt_believed="yes", felt_safe="yes",
            culture_fit="yes", knew_rights="partly", would_recommend="yes", open_text=f"Earlier answer {i}",
        )  # fmt: skip
    return case


def marac_soon(world) -> None:
    """Quaymarsh's case (alice holds it) goes to MARAC in three days: test_find_and_notify.py runs the daily sweep
    and alice is told. Three days from the day the world is built, so the sweep in the same run always finds it."""
    import datetime as dt

    from django.utils import timezone

    from tests import factories as f

    f.MaracReferralFactory(referral=world.referrals["solace"], meeting_date=timezone.localdate() + dt.timedelta(days=3))


RIGHTS_PASSAGE = "the man at the corner shop saw it all"
RIGHTS_REFERRER = "Dr Ottoline Brackenbury"


def rights_cases(world):
    """Two women supported by Quaymarsh, for test_rights.py alone: one asks what is held about her (her notes name
    her GP, who referred her, and a passage the reviewer redacts); the other asks to be erased. And Quaymarsh's
    second manager, amelia (not a persona of tests/world.py): erasure needs four eyes, so she decides the request
    amara records."""
    import datetime as dt

    from django.utils import timezone

    from carehub.accounts.models import Role
    from carehub.cases.models import Contact, ContactKind
    from carehub.referrals.models import Status
    from tests import factories as f

    amelia = f.UserFactory(username="amelia")
    f.MembershipFactory(user=amelia, organisation=world.orgs["solace"], role=Role.SERVICE_MANAGER)
    made = {}
    for key, family in (("access", "Accessmarker"), ("erasure", "Erasuremarker")):
        referral = f.ReferralFactory(
            survivor__given_name="Philippa",
            survivor__family_name=family,
            survivor__date_of_birth=dt.date(1984, 6, 9),
            survivor__postcode="SE15 4QL",
            status=Status.ACCEPTED,
            routed_service=world.services["solace"],
        )
        case = f.CaseFactory(referral=referral, service=world.services["solace"], caseworker=world.users["alice"])
        survivor = referral.survivor
        referral.contact_sealed = survivor.seal_for({"referrer": {"name": RIGHTS_REFERRER, "role": "GP"}})
        referral.save(update_fields=["contact_sealed"])
        for n, note in enumerate((f"{RIGHTS_REFERRER} called: {RIGHTS_PASSAGE}.", "Planned the court date.")):
            Contact.objects.create(
                case=case,
                kind=ContactKind.CALL,
                on=dt.date(2026, 3, n + 1),
                minutes=20,
                note_sealed=survivor.seal_for({"note": note}),
                recorded_at=timezone.now(),
                recorded_by=world.users["alice"],
            )
        made[key] = case
    return made


HUB_RIGHTS_PASSAGE = "the bus driver on the 38 route saw him follow her"


def hub_rights_referral(world):
    """A woman the hub holds and no service does (her referral closed at the hub: she chose not to be offered
    support), who asks the hub what it holds about her: test_rights.py's hub manager (hilda) answers, redacting a
    passage of the referrer's account. Used by no other test."""
    from carehub.referrals.models import Referral, Status
    from tests import factories as f

    referral = f.ReferralFactory(
        survivor__given_name="Clementine",
        survivor__family_name="Hubaccessmarker",
        referring_organisation=world.orgs["nhs"],
        status=Status.CLOSED,
    )
    survivor = referral.survivor
    Referral.objects.filter(pk=referral.pk).update(
        contact_sealed=survivor.seal_for({"referrer": {"name": RIGHTS_REFERRER, "role": "GP"}}),
        summary_sealed=survivor.seal_for({"summary": f"{RIGHTS_REFERRER} saw her in surgery: {HUB_RIGHTS_PASSAGE}."}),
    )
    return referral


def main() -> None:
    django.setup()
    from django.template.loader import render_to_string

    from tests.repeats.helpers import AMINA, AMINA_MISSPELT, closed_case, intake
    from tests.world import build_world

    world = build_world()  # passwords hashed by the hub's own quick hasher (tests/browser/hub_settings.py)
    # A woman supported by Quaymarsh until 100 days ago, referred again with a slip in her family name.
    earlier = intake(AMINA, days_ago=300)
    closed_case(world, earlier, closed_days_ago=100)
    new = intake(AMINA_MISSPELT)
    survivors = [r.survivor.identity for r in world.referrals.values()] + [AMINA, AMINA_MISSPELT]
    # The commissioners' equality pages read what `carehub eia publish` wrote into the server's var folder. This
    # small world has too few people for an assessment (the engine says so), so the pages are shown one of a
    # synthetic extract; tests/assessments publishes from the database itself. A large one: the same 6,220 results,
    # 468 of them still suppressed, in about 8 s of CPU, where 5,000 rows (3,664 suppressed: 319 suppression
    # programmes) took about 20 s of this pass's CPU; the suppression solver has its own tests in tests/insight.
    import tempfile

    from carehub.assessments.services import HUB, SPECS, results_dir
    from carehub.insight.equality import run
    from carehub.synthetic import extracts

    with tempfile.TemporaryDirectory() as work:
        extract = extracts.write_referrals(Path(work) / "referrals.parquet", 200_000, seed=3)
        run(SPECS / "hub.toml", extracts.extract_data(extract), out_dir=results_dir() / HUB)
        # The support-duration page (test_duration.py) likewise, from a simulated extract of 3,000 episodes. Here
        # rather than in that test, so that on PostgreSQL it is done in the background with the rest of the hub.
        from carehub.duration.services import NAME as DURATION
        from carehub.duration.services import results_dir as duration_results_dir
        from carehub.insight.duration import run as duration_run
        from carehub.insight.duration.simulate import simulate

        duration_run(simulate(3000, seed=8).write(Path(work) / "episodes"), duration_results_dir() / DURATION)
    from carehub.extract.writer import service_key
    from tests.commissioning.helpers import publish_synthetic

    # The commissioning page too, from a synthetic extract long enough for a forecast, its referrals routed to the
    # world's services so that each service manager has her own services' figures (test_commissioning.py).
    # Its capacity starts from the world's directory: the IDVA services' caseworkers as their managers keep them
    # (the refuge's not recorded), so the page shows today's FTE against what the wait target needs.
    for name, fte in (("solace", "2.0"), ("sistah", "1.5")):
        world.services[name].caseworker_fte = Decimal(fte)
        world.services[name].save()
    shares = {"solace": 0.5, "refuge": 0.1, "sistah": 0.3, "ias": 0.1}
    publish_synthetic(
        services={service_key(world.services[name].pk): share for name, share in shares.items()}, directory=True
    )
    closure = offered_to_quaymarsh(world)
    survivors.append(closure.survivor.identity)
    high_risk = high_risk_in_triage(world)
    survivors.append(high_risk.survivor.identity)
    immigration_advice_service(world)
    safe_contact, marac = high_risk_with_safe_contact(world)
    survivors.append(safe_contact.survivor.identity)
    sealed_safe_contact(world)
    feedback_case = closed_for_feedback(world)
    survivors.append(feedback_case.survivor.identity)
    marac_soon(world)
    rights = rights_cases(world)
    survivors += [case.survivor.identity for case in rights.values()]
    hub_rights = hub_rights_referral(world)
    survivors.append(hub_rights.survivor.identity)
    facts = {
        # Closed at Kestrel Rise, texts safe: test_coproduction.py offers her the feedback questionnaire.
        "feedback_case": feedback_case.public_id,
        "case_ids": {key: case.public_id for key, case in world.cases.items()},
        "referral_references": {key: referral.reference for key, referral in world.referrals.items()},
        "repeat_references": {"earlier": earlier.reference, "new": new.reference},
        # Offered to Quaymarsh and relied on by test_case_to_closure.py alone, which takes it through to closure.
        "closure_reference": closure.reference,
        # Triaged high risk, the newest referral in the queue: test_queues.py checks it is shown first.
        "high_risk_reference": high_risk.reference,
        # Issue 12's woman (test_risk_drives_the_work.py): her safe-contact answers, her MARAC referral, her offer.
        "safe_contact_reference": safe_contact.reference,
        "safe_contact_marac": marac.public_id,
        "safe_word": SAFE_WORD,
        # Quaymarsh's two women of test_rights.py: one asks for her records, the other to be erased.
        "rights_cases": {key: case.public_id for key, case in rights.items()},
        "rights_markers": {key: case.survivor.identity.family_name for key, case in rights.items()},
        "rights_passage": RIGHTS_PASSAGE,
        "rights_referrer": RIGHTS_REFERRER,
        # The hub's woman of test_rights.py: hilda, the hub manager, answers her subject access request.
        "hub_rights": {
            "reference": hub_rights.reference,
            "marker": hub_rights.survivor.identity.family_name,
            "passage": HUB_RIGHTS_PASSAGE,
        },
        # Every name a survivor is known by: none of them may ever reach a page title (and so browser history).
        "survivor_names": sorted({name for i in survivors for name in (i.given_name, i.family_name) if name}),
        # Each service's own commissioning page (test_commissioning.py): Quaymarsh's manager may read only hers.
        "service_ids": {key: service.pk for key, service in world.services.items()},
        # The server error page cannot be asked for; the tests look at it as the server would send it.
        "server_error_page": render_to_string("500.html"),
    }
    json.dump(facts, sys.stdout)


if __name__ == "__main__":
    main()
