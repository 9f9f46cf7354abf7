from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from carehub.accounts import policy
from carehub.audit import services as audit
from carehub.core import public_ids
from carehub.core.actions import attempt, attempt_form
from carehub.core.addresses import client_address
from carehub.core.choices import Role
from carehub.core.ratelimit import check_rate
from carehub.directory import selectors as directory
from carehub.referrals import forms, selectors, selfrefer, services


@policy.route(Role.REFERRER)
def sent(request: HttpRequest) -> HttpResponse:
    """Status only: a referrer never sees the survivor's details back."""
    page = Paginator(selectors.sent_by(user=request.user).only("reference", "status", "received_at"), 50)
    return render(request, "referrals/sent.html", {"page": page.get_page(request.GET.get("page"))})


@policy.route(Role.HUB_WORKER)
def queue(request: HttpRequest) -> HttpResponse:
    filters = selectors.QueueFilters.from_params(request.GET, statuses=selectors.TRIAGE_STATUSES)
    after, before = _cursors(request)
    context = {
        "page": selectors.triage_page(user=request.user, filters=filters, after=after, before=before),
        "filters": selectors.triage_filters(user=request.user, filters=filters),
        "filters_active": filters.active,
    }
    return render(request, "referrals/queue.html", context)


def _cursors(request: HttpRequest) -> tuple[str, str]:
    """A keyset page's cursors from the URL (signed by the selector; a forged one shows the first page)."""
    return request.GET.get("after", "")[:500], request.GET.get("before", "")[:500]


# Administrators reach this page only for a referral they opened by break-glass (policy.referrals_visible_to).
@policy.route(Role.HUB_WORKER, Role.CASEWORKER, Role.SERVICE_MANAGER, Role.INDEPENDENT_ADVISER, Role.ADMINISTRATOR)
@audit.batched_page
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    referral = policy.get_referral_for_user(request.user, reference)
    consents = list(referral.consents.select_related("recipient", "recorded_by").order_by("recorded_at", "pk"))
    person = selectors.person_context(request.user, referral, policy.person_view_for(request.user, referral))
    reasons = selectors.withdrawal_reasons(referral, consents, person["view"])
    for consent in consents:
        consent.withdrawal_reason = reasons.get(consent.pk, "")
    context = {
        "referral": referral,
        **person,
        "history": selectors.history(referral),
        # The situation has read the latest assessment (perhaps none) whenever the view reaches her situation.
        "assessment": person["situation"].assessment if person["view"].situation else referral.dash_assessments.first(),
        "offers": referral.offers.select_related("service").order_by("-offered_at"),
        "can_triage": policy.has_role(request.user, Role.HUB_WORKER) and not referral.sealed,
        "consents": consents,
        "consents_in_force": {c.pk for c in selectors.current_consents(referral, consents=consents)},
    }
    return render(request, "referrals/detail.html", context)


# --- self-referral -----------------------------------------------------------------------------------------------


@policy.route(public=True)
def refer(request: HttpRequest) -> HttpResponse:
    """Every step of the self-referral is a POST to this one URL; see selfrefer.py for why."""
    if request.method != "POST":
        return _render_step(request, "about", selfrefer.new_state(), show_errors=False)
    state = selfrefer.load_state(request.POST.get("state", ""))
    if state is None:
        notice = "For your safety, unfinished answers are cleared after 2 hours. Please start again."
        return _render_step(request, "about", selfrefer.new_state(), show_errors=False, notice=notice)
    step = request.POST.get("step", "about")
    action = request.POST.get("action", "continue")
    if step != selfrefer.CHECK_STEP and step not in selfrefer.STEP_NAMES:
        step = "about"
    if step != selfrefer.CHECK_STEP:
        form = selfrefer.form_class(step)(data=request.POST)
        state["answers"][step] = selfrefer.step_data(request.POST, form)
        if action == "back":
            target = selfrefer.before_step(step, state)
            if target != selfrefer.CHECK_STEP:
                return _render_step(request, target, state, show_errors=False)
        elif not form.is_valid():
            return _render_step(request, step, state, form=form)
        else:
            following = selfrefer.after_step(step, state)
            if following != selfrefer.CHECK_STEP:
                return _render_step(request, following, state, show_errors=False)
    elif changing := selfrefer.change_step(action):
        state["changing"] = True  # Continue on that step comes straight back to check answers
        return _render_step(request, changing, state, show_errors=False)
    elif action == "back":
        return _render_step(request, selfrefer.previous_step(step), state, show_errors=False)
    forms_by_step = selfrefer.all_forms(state)
    if forms_by_step is None:
        first_bad = next(s for s in selfrefer.STEP_NAMES if not selfrefer.bound(s, state, show_errors=True).is_valid())
        return _render_step(request, first_bad, state, show_errors=True)
    if step != selfrefer.CHECK_STEP or action != "submit":
        return _render_check(request, state, forms_by_step)
    limited = check_rate(
        f"selfrefer:{client_address(request)}", limit=settings.SELF_REFERRAL_RATE_PER_HOUR, window_seconds=3600
    )
    if limited:
        return render(request, "referrals/refer_busy.html", status=429)
    referral, _ = services.referral_create(
        actor=None,
        organisation=None,
        request=forms.build_request(forms.SELF, forms_by_step),
        idempotency_key=state["submission_id"],
    )
    return render(request, "referrals/refer_done.html", {"reference": referral.reference, "sealed": referral.sealed})


def _render_step(request, step: str, state: dict, *, form=None, show_errors: bool = True, notice: str = ""):
    form = form or selfrefer.bound(step, state, show_errors=show_errors)
    context = {
        "form": form,
        "step": step,
        "step_title": selfrefer.title(step),
        "step_number": selfrefer.STEP_NAMES.index(step) + 1,
        "step_count": len(selfrefer.STEP_NAMES) + 1,
        "state": selfrefer.dump_state(state),
        "notice": notice,
        "first": step == selfrefer.STEP_NAMES[0],
    }
    return render(request, "referrals/refer_step.html", context, status=200 if not form.errors else 400)


def _render_check(request, state: dict, forms_by_step) -> HttpResponse:
    state["changing"] = False  # back on the check page: the next "Change" starts afresh
    context = {
        "sections": selfrefer.summary(forms_by_step),
        "state": selfrefer.dump_state(state),
        "step_count": len(selfrefer.STEP_NAMES) + 1,
    }
    return render(request, "referrals/refer_check.html", context)


# --- professional referral ---------------------------------------------------------------------------------------

PROFESSIONAL_FORMS = (
    ("about", forms.AboutYouForm),
    ("contact", forms.ContactForm),
    ("situation", forms.AgencySituationForm),
    ("support", forms.SupportForm),
    ("equality", forms.EqualityForm),
    ("consent", forms.ConsentForm),
    ("referrer", forms.ReferrerForm),
)


@policy.route(Role.REFERRER)
def new(request: HttpRequest) -> HttpResponse:
    """One page for professionals, who fill in referrals every day and want no wizard."""
    data = request.POST if request.method == "POST" else None
    initial = {"referrer": {"referrer_name": request.user.full_name, "referrer_email": request.user.email}}
    bound_forms = {name: cls(data, prefix=name, initial=initial.get(name)) for name, cls in PROFESSIONAL_FORMS}
    if not policy.can_record_immigration_status(request.user):
        del bound_forms["equality"].fields["immigration_status"]
    if data is not None and all(f.is_valid() for f in bound_forms.values()):
        referrer_data = bound_forms["referrer"].cleaned_data
        referrer = services.Referrer(
            name=referrer_data["referrer_name"],
            role=referrer_data.get("referrer_role", ""),
            phone=referrer_data.get("referrer_phone", ""),
            email=referrer_data.get("referrer_email", ""),
        )
        organisation = next(m.organisation for m in policy.memberships(request.user) if m.role == Role.REFERRER)
        created = attempt(
            lambda: services.referral_create(
                actor=request.user,
                organisation=organisation,
                request=forms.build_request(forms.PROFESSIONAL, bound_forms, referrer=referrer),
                idempotency_key=request.POST.get("submission_id", "")[:100],
            )
        )
        if not created.ok:
            bound_forms["consent"].add_error(None, created.error)
        else:
            referral, _ = created.value
            _code, label = policy.referral_status_for_sender(organisation, referral.reference)
            context = {"reference": referral.reference, "status": label, "sealed": referral.sealed}
            context["independent_service_name"] = policy.independent_service_name_for_sender(request.user, referral)
            return render(request, "referrals/new_done.html", context)
    context = {
        "forms": bound_forms,
        "forms_with_errors": [f for f in bound_forms.values() if f.is_bound and f.errors],
        "submission_id": request.POST.get("submission_id") or selfrefer.new_state()["submission_id"],
    }
    return render(request, "referrals/new.html", context, status=400 if context["forms_with_errors"] else 200)


# --- triage and routing (hub workers) ------------------------------------------------------------------------------


def _triage_initial(referral) -> dict:
    return {
        "version": referral.version,
        "needs": referral.needs,
        "wants_by_and_for": referral.wants_by_and_for,
        "language": referral.language,
        "interpreter_needed": referral.interpreter_needed,
        "worker_gender": referral.worker_gender or "no_preference",
        "has_nrpf": "yes" if referral.has_nrpf else "no",
        "age": referral.age_at_referral,
        "police_callouts_12_months": 0,
    }


@policy.route(Role.HUB_WORKER)
def triage(request: HttpRequest, reference: str) -> HttpResponse:
    referral = policy.get_referral_for_user(request.user, reference)
    form = forms.TriageForm(request.POST or None, initial=_triage_initial(referral))
    done = attempt_form(
        request,
        form,
        # A referral meeting the MARAC criteria is referred to MARAC in the same transaction (marac.apps.ready).
        lambda data: services.referral_triage(
            actor=request.user, referral=referral, expected_version=data["version"], triage=form.triage_input()
        ),
    )
    error = done.error
    if done.ok:
        marac_note = (
            " She meets the MARAC criteria: she has been referred to MARAC." if done.value.marac_referral else ""
        )
        messages.success(request, "Triage saved." + marac_note)
        return redirect("referrals:route", reference=referral.reference)
    context = {"referral": referral, "form": form, "error": error, "forms_with_errors": [form] if form.errors else []}
    return render(request, "referrals/triage.html", context, status=400 if (form.errors or error) else 200)


@policy.route(Role.HUB_WORKER)
def route(request: HttpRequest, reference: str) -> HttpResponse:
    referral = policy.get_referral_for_user(request.user, reference)
    ranked, excluded = selectors.routing_for(referral)
    form = forms.OfferForm(request.POST or None, initial={"version": referral.version})
    error = ""
    if request.method == "POST" and form.is_valid():
        chosen = next((r for r in ranked if r.service.id == form.cleaned_data["service"]), None)
        service = directory.service_by_id(form.cleaned_data["service"])
        if service is None:
            error = "Choose a service from the list."
        else:
            done = attempt(
                lambda: services.offer_create(
                    actor=request.user,
                    referral=referral,
                    service=service,
                    expected_version=form.cleaned_data["version"],
                    hub_reason=form.cleaned_data["hub_reason"],
                    rank=chosen.position if chosen else None,
                    score=chosen.score if chosen else None,
                    reasons=chosen.reasons if chosen else ["chosen outside the ranking"],
                )
            )
            error = done.error
            if done.ok:
                messages.success(request, f"Offered to {service.name}.")
                return redirect("referrals:detail", reference=referral.reference)
    elif request.method == "POST":
        error = " ".join(e for errors in form.errors.values() for e in errors)
    context = {
        "referral": referral,
        "ranked": ranked[:25],
        "ranked_count": len(ranked),
        "excluded": excluded,
        "form": form,
        "error": error,
    }
    return render(request, "referrals/route.html", context, status=400 if error else 200)


# --- the service's inbox ----------------------------------------------------------------------------------------


@policy.route(Role.SERVICE_MANAGER)
def inbox(request: HttpRequest) -> HttpResponse:
    filters = selectors.QueueFilters.from_params(request.GET)
    after, before = _cursors(request)
    context = {
        "page": selectors.offers_page(user=request.user, filters=filters, after=after, before=before),
        "filters": selectors.offers_filters(user=request.user, filters=filters),
        "filters_active": filters.active,
    }
    return render(request, "referrals/inbox.html", context)


@policy.route(Role.HUB_WORKER, Role.CASEWORKER, Role.SERVICE_MANAGER, Role.INDEPENDENT_ADVISER)
def consent_withdraw(request: HttpRequest, reference: str, consent_id: str) -> HttpResponse:
    """Record that she has withdrawn a consent: a confirmation page that asks why, then the withdrawal. The earlier
    consent stays in the history."""
    referral = policy.get_referral_for_user(request.user, reference)
    consent = referral.consents.filter(public_id=public_ids.parse(consent_id)).first()
    if consent is None:
        raise Http404
    form = forms.ConsentWithdrawForm(request.POST or None)
    done = attempt_form(
        request,
        form,
        lambda data: services.consent_revoke(actor=request.user, consent=consent, reason=data["reason"]),
    )
    if done.ok:
        messages.success(request, "Consent withdrawal recorded.")
        return redirect("referrals:detail", reference=referral.reference)
    error = done.error
    context = {
        "referral": referral,
        "consent": consent,
        "form": form,
        "error": error,
        "forms_with_errors": [form] if form.errors else [],
    }
    return render(request, "referrals/consent_withdraw.html", context, status=400 if (form.errors or error) else 200)
