"""Case pages. Thin: fetch through the access policy, call a service or a selector, render or redirect.

Every page about one case fetches it with `policy.get_case_for_user`, which answers 404 for a case outside the
user's scope and audits the view. Forms post back to their own page; after a change the user returns to the case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django import forms as django_forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from carehub.accounts import policy
from carehub.audit import services as audit
from carehub.cases import closure, closure_requests, forms, listing, selectors, services
from carehub.core import public_ids
from carehub.core.actions import attempt, attempt_form
from carehub.core.choices import Role
from carehub.referrals import forms as referral_forms
from carehub.referrals import services as referral_services
from carehub.referrals.selectors import QueueFilters, person_context

if TYPE_CHECKING:
    from carehub.cases.models import Case

CASE_ROLES = (Role.CASEWORKER, Role.SERVICE_MANAGER, Role.INDEPENDENT_ADVISER)


@policy.route(*CASE_ROLES)
def case_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.open_cases(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "cases/list.html", {"page": page, "rows": listing.case_rows(user=request.user, cases=page)})


# Administrators reach a case only inside a break-glass window (policy.cases_visible_to).
@policy.route(*CASE_ROLES, Role.ADMINISTRATOR)
@audit.batched_page
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    case = policy.get_case_for_user(request.user, public_id)
    closure_asked, closure_refused = closure_requests.closure_state(case)
    context = {
        "case": case,
        **person_context(request.user, case.referral, policy.person_view_for(request.user, case.referral)),
        "page": selectors.case_page(case, user=request.user),
        "can_allocate": selectors.can_allocate(request.user, case),
        "wait_days": selectors.wait_days(case.accepted_at) if case.is_waiting else None,
        "closure_asked": closure_asked,
        "closure_refused": closure_refused,
    }
    return render(request, "cases/detail.html", context)


# --- the waiting list and caseloads ------------------------------------------------------------------------------


@policy.route(Role.SERVICE_MANAGER, Role.INDEPENDENT_ADVISER)
def waiting(request: HttpRequest) -> HttpResponse:
    """Cases waiting for a caseworker, with how long each has waited and the median wait per service."""
    summaries = selectors.wait_summaries(user=request.user)
    service_id = _int_or_none(request.GET.get("service"))
    filters = QueueFilters.from_params(request.GET)
    after, before = request.GET.get("after", "")[:500], request.GET.get("before", "")[:500]
    page = selectors.waiting_page(user=request.user, service_id=service_id, filters=filters, after=after, before=before)
    for case in page:
        case.wait_days = selectors.wait_days(case.accepted_at)
    context = {
        "summaries": summaries,
        "page": page,
        "rows": listing.case_rows(user=request.user, cases=page),
        "service_id": service_id,
        "filters": selectors.waiting_filters(user=request.user, service_id=service_id, filters=filters),
        "filters_active": filters.active,
        "keep": [("service", service_id)] if service_id is not None else [],
        "can_allocate": bool(selectors.managed_organisations(request.user)),
    }
    return render(request, "cases/waiting.html", context)


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@policy.route(*CASE_ROLES)
def caseload(request: HttpRequest) -> HttpResponse:
    """A manager sees each caseworker's open cases; a caseworker or adviser sees their own."""
    context = {
        "caseloads": selectors.caseloads(user=request.user),
        "own": listing.case_rows(user=request.user, cases=selectors.own_caseload(user=request.user)),
        "holds_cases": policy.has_role(request.user, Role.CASEWORKER, Role.INDEPENDENT_ADVISER),
    }
    return render(request, "cases/caseload.html", context)


@policy.route(Role.SERVICE_MANAGER)
def caseworker_caseload(request: HttpRequest, user_id: int) -> HttpResponse:
    filters = QueueFilters.from_params(request.GET)
    after, before = request.GET.get("after", "")[:500], request.GET.get("before", "")[:500]
    found = selectors.caseload_page(
        user=request.user, caseworker_id=user_id, filters=filters, after=after, before=before
    )
    if found is None:
        raise Http404
    worker, page, counts = found
    context = {
        "page": page,
        "rows": listing.case_rows(user=request.user, cases=page),
        "worker": worker,
        "filters": counts,
        "filters_active": filters.active,
    }
    return render(request, "cases/caseworker_caseload.html", context)


# --- allocation and transfer -------------------------------------------------------------------------------------


@policy.route(Role.SERVICE_MANAGER)
def allocate(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _managed_case(request, public_id)
    if not case.is_waiting:
        messages.success(request, "This case has already been allocated.")
        return redirect("cases:detail", public_id=case.public_id)
    form = forms.AllocateForm(
        request.POST or None,
        initial={"version": case.version},
        choices=selectors.allocation_choices(case, user=request.user),
    )
    return _act(
        request,
        case,
        form,
        lambda data: services.case_allocate(
            actor=request.user,
            case=case,
            caseworker=selectors.eligible_caseworker(case, data["caseworker"]),
            expected_version=data["version"],
        ),
        heading="Allocate to a caseworker",
        submit="Allocate and open the case",
        done="Allocated: the case is open.",
    )


@policy.route(Role.SERVICE_MANAGER)
def transfer(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _managed_case(request, public_id)
    choices = [c for c in selectors.allocation_choices(case, user=request.user) if c[0] != case.caseworker_id]
    form = forms.TransferForm(request.POST or None, initial={"version": case.version}, choices=choices)
    return _act(
        request,
        case,
        form,
        lambda data: services.case_transfer(
            actor=request.user,
            case=case,
            caseworker=selectors.eligible_caseworker(case, data["caseworker"]),
            expected_version=data["version"],
            reason=data["reason"],
        ),
        heading="Transfer to another caseworker",
        submit="Transfer the case",
        done="Transferred.",
    )


def _managed_case(request: HttpRequest, public_id: str) -> Case:
    """A case the user manages. A manager elsewhere who only holds this case as a caseworker gets 404, like anyone,
    and the check comes before the audited read, so a refusal is not recorded as a view."""
    managed = [org.pk for org in selectors.managed_organisations(request.user)]
    cases = policy.cases_visible_to(request.user).filter(service__organisation_id__in=managed)
    if not cases.filter(public_id=public_ids.parse(public_id)).exists():
        raise Http404
    return policy.get_case_for_user(request.user, public_id)


# --- the support plan, safety plan, contacts and documents -------------------------------------------------------


@policy.route(*CASE_ROLES)
def goal_add(request: HttpRequest, public_id: str) -> HttpResponse:
    case = policy.get_case_for_user(request.user, public_id)
    return _act(
        request,
        case,
        forms.GoalForm(request.POST or None),
        lambda data: services.goal_create(actor=request.user, case=case, text=data["text"]),
        heading="Add a goal to her support plan",
        submit="Add the goal",
        done="Goal added.",
    )


@policy.route(*CASE_ROLES)
def goal_update(request: HttpRequest, public_id: str, goal_id: str) -> HttpResponse:
    case = policy.get_case_for_user(request.user, public_id)
    goal = case.goals.filter(public_id=public_ids.parse(goal_id)).first()
    if goal is None:
        raise Http404
    return _act(
        request,
        case,
        forms.GoalStatusForm(request.POST or None, initial={"status": goal.status}),
        lambda data: services.goal_update(actor=request.user, goal=goal, status=data["status"]),
        heading="Update a goal",
        submit="Save",
        done="Goal updated.",
        intro=(case.survivor.unseal(goal.text_sealed) or {}).get("text", ""),
    )


@policy.route(*CASE_ROLES)
def safety_plan(request: HttpRequest, public_id: str) -> HttpResponse:
    case = policy.get_case_for_user(request.user, public_id)
    current = case.safety_plans.first()
    initial = {"revision": current.revision if current else 0}
    if current is not None:
        initial["plan"] = (case.survivor.unseal(current.plan_sealed) or {}).get("plan", "")
    return _act(
        request,
        case,
        forms.SafetyPlanForm(request.POST or None, initial=initial),
        lambda data: services.safety_plan_update(
            actor=request.user, case=case, expected_revision=data["revision"], plan=data["plan"]
        ),
        heading="Safety plan",
        submit="Save the safety plan",
        done="Safety plan saved.",
    )


@policy.route(*CASE_ROLES)
def contact_add(request: HttpRequest, public_id: str) -> HttpResponse:
    case = policy.get_case_for_user(request.user, public_id)
    # Her safe-contact panel above the form: whoever logs a contact is about to make one, or has just made one.
    safe_contact = policy.safe_contact_for(
        request.user, case.referral, policy.person_view_for(request.user, case.referral)
    )
    unsafe = services.unsafe_kind_labels(safe_contact)
    return _act(
        request,
        case,
        forms.ContactForm(request.POST or None, unsafe=unsafe),
        lambda data: services.contact_create(
            actor=request.user,
            case=case,
            kind=data["kind"],
            on=data["on"],
            minutes=data["minutes"],
            note=data.get("note", ""),
            unsafe_reason=data.get("unsafe_reason", ""),
        ),
        heading="Log a contact",
        submit="Save the contact",
        done="Contact logged.",
        extra={"safe_contact": safe_contact},
    )


@policy.route(*CASE_ROLES)
def document_add(request: HttpRequest, public_id: str) -> HttpResponse:
    case = policy.get_case_for_user(request.user, public_id)
    return _act(
        request,
        case,
        forms.DocumentForm(request.POST or None),
        lambda data: services.document_create(
            actor=request.user,
            case=case,
            title=data["title"],
            kind=data["kind"],
            dated=data.get("dated"),
            held_at=data["held_at"],
        ),
        heading="Note a document",
        submit="Save",
        done="Document noted.",
        intro="Only a note of the document is kept here, never the file itself.",
    )


# --- outcome measures, closure and onward referral ---------------------------------------------------------------


@policy.route(*CASE_ROLES)
def outcomes_start(request: HttpRequest, public_id: str) -> HttpResponse:
    case = policy.get_case_for_user(request.user, public_id)
    if selectors.start_measures_recorded(case):
        messages.success(request, "Her starting measures are already recorded.")
        return redirect("cases:detail", public_id=case.public_id)
    form = forms.StartMeasuresForm(request.POST or None, abuse_types=case.referral.abuse_types)
    return _act(
        request,
        case,
        form,
        lambda _data: services.outcome_record_start(actor=request.user, case=case, measures=form.measures()),
        heading="Outcome measures at the start",
        submit="Save her starting measures",
        done="Starting measures recorded.",
        intro="Ask her these questions early in her support. The same questions at closure show what changed.",
    )


@policy.route(*CASE_ROLES)
def close(request: HttpRequest, public_id: str) -> HttpResponse:
    """Close the case; when it needs a manager and the user is not one of its managers, ask one instead."""
    case = policy.get_case_for_user(request.user, public_id)
    if case.is_closed:
        messages.success(request, "This case is already closed.")
        return redirect("cases:detail", public_id=case.public_id)
    if closure_requests.pending_request(case) is not None:
        messages.success(request, "A closure of this case is already waiting for a manager's confirmation.")
        return redirect("cases:detail", public_id=case.public_id)
    concerns = closure.closure_concerns(case)
    asks_manager = bool(concerns) and not selectors.can_allocate(request.user, case)
    form = forms.CloseForm(
        request.POST or None,
        initial={"version": case.version},
        abuse_types=case.referral.abuse_types,
        asks_manager=asks_manager,
        needs_reason=bool(concerns),
    )

    def act(data: dict) -> None:
        if not asks_manager:
            services.case_close(
                actor=request.user,
                case=case,
                expected_version=data["version"],
                reason=data["reason"],
                measures=form.measures(),
                manager_reason=data.get("manager_reason", ""),
            )
            return
        try:
            closure_requests.closure_request(
                actor=request.user,
                case=case,
                expected_version=data["version"],
                reason=data["reason"],
                measures=form.measures(),
                note=data.get("manager_reason", ""),
            )
        except services.CaseError as refused:
            field = "manager_reason" if refused.field == "note" else refused.field
            raise services.CaseError(refused.message, field=field) from None

    return _act(
        request,
        case,
        form,
        act,
        heading="Ask a manager to close the case" if asks_manager else "Close the case",
        submit="Send to a manager to confirm" if asks_manager else "Close the case",
        done=(
            "Sent to your service manager to confirm. The case stays open until a manager confirms the closure."
            if asks_manager
            else "Case closed."
        ),
        intro=_close_intro(concerns, asks_manager),
    )


def _close_intro(concerns: list[str], asks_manager: bool) -> str:
    intro = "Ask her the outcome questions again before closing: they show what her support changed."
    if concerns and asks_manager:
        intro += (
            "\n\nA manager must confirm this closure: " + " ".join(concerns) + " Your answers go to your service "
            "manager, who confirms or refuses the closure. The case stays open until then."
        )
    elif concerns:
        intro += "\n\nA manager must confirm this closure, with a reason: " + " ".join(concerns)
    return intro


@policy.route(Role.SERVICE_MANAGER)
def closures(request: HttpRequest) -> HttpResponse:
    """Closures to confirm: caseworkers' closures of cases that need a manager, oldest first."""
    waiting = closure_requests.closures_to_confirm(request.user)
    return render(request, "cases/closures.html", {"page": Paginator(waiting, 50).get_page(request.GET.get("page"))})


@policy.route(Role.SERVICE_MANAGER)
def closure_decide(request: HttpRequest, public_id: str) -> HttpResponse:
    """A manager confirms (the case closes as asked) or refuses (it stays open) a caseworker's closure, with a
    reason either way."""
    case = _managed_case(request, public_id)
    asked = closure_requests.pending_request(case)
    if asked is None:
        messages.success(request, "No closure of this case is waiting for a manager.")
        return redirect("cases:detail", public_id=case.public_id)
    form = forms.ClosureDecisionForm(request.POST or None)

    def act(data: dict) -> None:
        decide = closure_requests.closure_confirm if data["decision"] == "confirm" else closure_requests.closure_refuse
        decide(actor=request.user, request=asked, note=data["note"])

    confirmed = request.POST.get("decision") == "confirm"
    return _act(
        request,
        case,
        form,
        act,
        heading="Confirm or refuse the closure",
        submit="Save your decision",
        done="Closure confirmed: the case is closed." if confirmed else "Closure refused: the case stays open.",
        summary=closure_requests.request_summary(asked),
    )


@policy.route(Role.SERVICE_MANAGER)
def reopen(request: HttpRequest, public_id: str) -> HttpResponse:
    """Reopen a case closed in the last 28 days (the same case, audited); after that she is referred again."""
    case = _managed_case(request, public_id)

    def act(data: dict) -> None:
        closure.case_reopen(actor=request.user, case=case, expected_version=data["version"], reason=data["reason"])

    return _act(
        request,
        case,
        forms.ReopenForm(request.POST or None, initial={"version": case.version}),
        act,
        heading="Reopen the case",
        submit="Reopen the case",
        done="Case reopened.",
        intro="A case closed in the last 28 days can be reopened. After that, refer her again through the hub.",
    )


@policy.route(*CASE_ROLES)
def refer_on(request: HttpRequest, public_id: str) -> HttpResponse:
    case = policy.get_case_for_user(request.user, public_id)
    return _act(
        request,
        case,
        forms.ReferOnForm(request.POST or None),
        lambda data: services.onward_referral_create(
            actor=request.user, case=case, needs=data["needs"], note=data.get("note", ""), consent=data["consent"]
        ),
        heading="Refer her on to another service",
        submit="Send to the hub",
        done="Referred on: the hub will find the right service. The referral's progress shows on this page.",
        intro="The referral goes to the hub, which routes it like any other. This case stays open until you close it.",
    )


def _act(
    request: HttpRequest,
    case: Case,
    form: django_forms.Form,
    action: Callable[[dict], object],
    *,
    heading: str,
    submit: str,
    done: str,
    intro: str = "",
    summary: list[tuple[str, str]] | None = None,
    extra: dict | None = None,
) -> HttpResponse:
    """The one pattern behind every case form: show it; on a valid post call the service; put a refusal on the form
    (against its field when it names one) and show it again; on success go back to the case."""
    result = attempt_form(request, form, action)
    if result.ok:
        messages.success(request, done)
        return redirect("cases:detail", public_id=case.public_id)
    error = result.error
    context = {
        "case": case,
        "form": form,
        "forms_with_errors": [form] if form.errors else [],
        "error": error,
        "heading": heading,
        "submit": submit,
        "intro": intro,
        "summary": summary or [],
        **(extra or {}),
    }
    return render(request, "cases/form.html", context, status=400 if (form.errors or error) else 200)


# --- offers to the manager's services ----------------------------------------------------------------------------


@policy.route(Role.SERVICE_MANAGER)
def offer(request: HttpRequest, public_id: str) -> HttpResponse:
    """An offer to one of the manager's services: accepting it opens her case here (cases owns opening a case),
    declining sends the referral back to the hub. Mounted at /referrals/offers/<id>/ (offer_urls)."""
    made = policy.get_offer_for_user(request.user, public_id)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    decline_form = referral_forms.DeclineForm(request.POST if action in {"decline", "decline_confirmed"} else None)
    error = ""
    if action == "accept":
        opened = attempt(lambda: services.case_open_from_offer(actor=request.user, offer=made))
        if opened.ok:
            messages.success(request, "Accepted: the referral is on your waiting list.")
            return redirect("cases:detail", public_id=opened.value.public_id)
        error = opened.error
    elif action == "decline" and decline_form.is_valid():
        # Declining sends her back to the hub's queue and delays her support: the reason is confirmed first.
        context = {"offer": made, "referral": made.referral, "answer": decline_form.cleaned_data}
        context["reason_label"] = decline_form.reason_label()
        return render(request, "referrals/offer_decline_confirm.html", context)
    elif action == "decline_confirmed" and decline_form.is_valid():
        answer = decline_form.cleaned_data  # a coded reason, and her service's own words for "other"
        declined = attempt(lambda: referral_services.offer_decline(actor=request.user, offer=made, **answer))
        if declined.ok:
            messages.success(request, "Declined: the referral has gone back to the hub.")
            return redirect("referrals:inbox")
        error = declined.error
    context = {
        "offer": made,
        "referral": made.referral,
        # Before acceptance the policy's view shows what a service needs to decide, and not who she is.
        **person_context(request.user, made.referral, policy.offer_view_for(request.user, made)),
        "decline_form": decline_form,
        "error": error,
    }
    return render(request, "referrals/offer.html", context, status=400 if (error or decline_form.errors) else 200)
