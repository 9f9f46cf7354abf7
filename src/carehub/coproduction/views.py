"""Pages of co-production. Thin: the policy decides who reaches a page, selectors read, services write."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from carehub.accounts import policy
from carehub.coproduction import forms, selectors, services
from carehub.core.actions import Attempt, attempt_form
from carehub.core.choices import Community, Role, ServiceType

T = TypeVar("T")
COMMISSIONER = (Role.COMMISSIONER,)
# The feedback link's token hash, kept in her session once the link is opened (the address bar and history lose the
# token at once). The hash, not the token, since sessions live in the database: no table holds the link in clear.
FEEDBACK_SESSION_KEY = "coproduction_feedback_token_hash"


def _page(request, template: str, **context) -> HttpResponse:
    return render(request, f"coproduction/{template}", context)


def _attempt(request: HttpRequest, form, action: Callable[[dict], T]) -> Attempt[T]:
    """Every co-production form page: act on a valid post, and a refusal goes on the form (its template shows only the
    form's errors, so one no field took becomes a non-field error)."""
    return attempt_form(request, form, action, errors_on_form=True)


def _points(data: dict) -> list:
    """The answer form's numbered point, evidence and communities fields as the service's points."""
    return [
        services.PointInput(data[f"point_{n}"], data[f"evidence_{n}"], data[f"communities_{n}"])
        for n in range(1, forms.POINTS + 1)
    ]


# --- commitments ------------------------------------------------------------------------------------------------


@policy.route(check=policy.can_take_part_in_consultations)
def commitment_list(request: HttpRequest) -> HttpResponse:
    commitments = list(selectors.commitment_list(user=request.user))
    manager = policy.can_manage_commitments(request.user)
    rows = [
        {
            "commitment": c,
            "current": selectors.current_assessment(c),
            "reach": selectors.reach(c) if manager else None,
        }
        for c in commitments
    ]
    return _page(request, "commitment_list.html", rows=rows, manager=manager)


@policy.route(*COMMISSIONER, check=policy.can_manage_commitments)
def commitment_create(request: HttpRequest) -> HttpResponse:
    form = forms.CommitmentForm(request.POST or None, initial={"status": "proposed"})
    done = _attempt(request, form, lambda data: services.commitment_create(actor=request.user, **data))
    if done.ok:
        messages.success(request, "Commitment added to the register.")
        return redirect("coproduction:commitment", public_id=done.value.public_id)
    return _page(request, "form.html", form=form, heading="Add a commitment", submit="Add the commitment",
                 back=reverse("coproduction:commitments"))  # fmt: skip


@policy.route(check=policy.can_take_part_in_consultations)
def commitment_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    commitment = selectors.commitment_get(user=request.user, public_id=public_id)
    manager = policy.can_manage_commitments(request.user)
    if request.method == "POST" and not manager:
        raise Http404  # only the commissioner changes a commitment
    status_form = forms.StatusForm(request.POST or None, initial={"status": commitment.status})
    if request.method == "POST" and status_form.is_valid():
        services.commitment_set_status(actor=request.user, commitment=commitment, **status_form.cleaned_data)
        messages.success(request, "Status changed.")
        return redirect("coproduction:commitment", public_id=commitment.public_id)
    consultations = [c for c in selectors.consultation_list(user=request.user) if c.commitment_id == commitment.pk]
    return _page(
        request,
        "commitment_detail.html",
        commitment=commitment,
        manager=manager,
        current=selectors.current_assessment(commitment),
        assessments=commitment.assessments.prefetch_related("runs") if manager else [],
        consultations=consultations,
        actions=selectors.actions_with_timeline(commitment),
        reach=selectors.reach(commitment) if manager else None,
        services=selectors.labels(commitment.service_types, ServiceType),
        populations=selectors.labels(commitment.populations, Community),
        status_form=status_form,
    )


@policy.route(*COMMISSIONER, check=policy.can_manage_commitments)
def assessment_create(request: HttpRequest, public_id: str) -> HttpResponse:
    commitment = selectors.commitment_get(user=request.user, public_id=public_id)
    form = forms.AssessmentForm(request.POST or None, runs=selectors.published_run_choices())
    done = _attempt(
        request, form, lambda data: services.assessment_create(actor=request.user, commitment=commitment, **data)
    )
    if done.ok:
        messages.success(request, "Assessment attached. It becomes current when the assessor signs it off.")
        return redirect("coproduction:commitment", public_id=commitment.public_id)
    return _page(request, "form.html", form=form, heading="Attach an equality impact assessment",
                 caption=commitment.title, submit="Attach the assessment",
                 back=reverse("coproduction:commitment", args=[commitment.public_id]))  # fmt: skip


@policy.route(*COMMISSIONER, check=policy.can_manage_commitments)
def assessment_sign_off(request: HttpRequest, public_id: str, assessment_id: str) -> HttpResponse:
    commitment = selectors.commitment_get(user=request.user, public_id=public_id)
    assessment = selectors.assessment_get(user=request.user, commitment=commitment, public_id=assessment_id)
    form = forms.SignOffForm(request.POST or None, initial={"name": request.user.get_full_name()})
    done = _attempt(
        request, form, lambda data: services.assessment_sign_off(actor=request.user, assessment=assessment, **data)
    )
    if done.ok:
        messages.success(request, "Assessment signed off.")
        return redirect("coproduction:commitment", public_id=commitment.public_id)
    return _page(request, "form.html", form=form, heading="Sign off the equality impact assessment",
                 caption=commitment.title, submit="Sign off",
                 back=reverse("coproduction:commitment", args=[commitment.public_id]))  # fmt: skip


# --- consultations ----------------------------------------------------------------------------------------------


@policy.route(*COMMISSIONER, check=policy.can_manage_commitments)
def consultation_open(request: HttpRequest, public_id: str) -> HttpResponse:
    commitment = selectors.commitment_get(user=request.user, public_id=public_id)
    organisations = list(selectors.consultable_organisations())
    by_slug = {o.slug: o for o in organisations}
    assessments = {a.public_id: a for a in commitment.assessments.all()}
    form = forms.ConsultationForm(
        request.POST or None,
        assessments=[(k, f"Assessed {a.assessed_on:%-d %B %Y}") for k, a in assessments.items()],
        organisations=[(o.slug, f"{o.name} ({o.get_kind_display()})") for o in organisations],
        initial={"organisations": [o.slug for o in organisations if o.kind in {"by_and_for", "specialist"}]},
    )
    done = _attempt(
        request,
        form,
        lambda data: services.consultation_open(
            actor=request.user, commitment=commitment, question=data["question"], documents=data["documents"],
            closes_on=data["closes_on"], assessment=assessments.get(data["assessment"]),
            organisations=[by_slug[s] for s in data["organisations"]],
        ),
    )  # fmt: skip
    if done.ok:
        messages.success(request, "Consultation opened. The invited organisations can answer now.")
        return redirect("coproduction:consultation", public_id=done.value.public_id)
    return _page(request, "form.html", form=form, heading="Open a consultation", caption=commitment.title,
                 submit="Open the consultation",
                 back=reverse("coproduction:commitment", args=[commitment.public_id]))  # fmt: skip


@policy.route(check=policy.can_take_part_in_consultations)
def consultation_list(request: HttpRequest) -> HttpResponse:
    return _page(request, "consultation_list.html", consultations=selectors.consultation_list(user=request.user))


@policy.route(check=policy.can_take_part_in_consultations)
def consultation_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    consultation = selectors.consultation_get(user=request.user, public_id=public_id)
    responses = list(selectors.responses_for(user=request.user, consultation=consultation))
    own = {o.pk for o in policy.organisations_answering_for(request.user, consultation)}
    return _page(
        request,
        "consultation_detail.html",
        consultation=consultation,
        responses=responses,
        own=own,
        can_answer=bool(selectors.answering_for(user=request.user, consultation=consultation)),
        manager=policy.can_manage_commitments(request.user),
        communities=dict(Community.choices),
    )


@policy.route(Role.SERVICE_MANAGER)
def consultation_answer(request: HttpRequest, public_id: str) -> HttpResponse:
    consultation = selectors.consultation_get(user=request.user, public_id=public_id)
    answering = selectors.answering_for(user=request.user, consultation=consultation)
    if not answering:
        raise Http404
    organisation = answering[0]
    form = forms.AnswerForm(request.POST or None)
    done = _attempt(
        request,
        form,
        lambda data: services.response_submit(
            actor=request.user, consultation=consultation, organisation=organisation, stance=data["stance"],
            in_confidence=data["in_confidence"], points=_points(data),
        ),
    )  # fmt: skip
    if done.ok:
        messages.success(request, "Your answer has been sent.")
        return redirect("coproduction:consultation", public_id=consultation.public_id)
    return _page(request, "form.html", form=form, heading=f"Answer for {organisation.name}",
                 caption=consultation.commitment.title, intro=consultation.question, submit="Send your answer",
                 back=reverse("coproduction:consultation", args=[consultation.public_id]))  # fmt: skip


@policy.route(*COMMISSIONER, check=policy.can_manage_commitments)
def point_decide(request: HttpRequest, public_id: str, point_id: str) -> HttpResponse:
    consultation = selectors.consultation_get(user=request.user, public_id=public_id)
    point = selectors.point_get(user=request.user, consultation=consultation, public_id=point_id)
    form = forms.DecisionForm(request.POST or None, initial={"decision": point.decision, "reasons": point.reasons})
    done = _attempt(request, form, lambda data: services.point_decide(actor=request.user, point=point, **data))
    if done.ok:
        messages.success(request, "Decision recorded.")
        return redirect("coproduction:consultation", public_id=consultation.public_id)
    return _page(request, "form.html", form=form, heading="Answer this point", caption=consultation.commitment.title,
                 intro=point.text, submit="Record the decision",
                 back=reverse("coproduction:consultation", args=[consultation.public_id]))  # fmt: skip


@policy.route(*COMMISSIONER, check=policy.can_manage_commitments)
def action_add(request: HttpRequest, public_id: str) -> HttpResponse:
    commitment = selectors.commitment_get(user=request.user, public_id=public_id)
    points = {p.public_id: p for p in selectors.commitment_points(commitment)}
    form = forms.ActionForm(
        request.POST or None,
        points=[(k, f"{p.response.invitation.organisation.name}: {p.text[:80]}") for k, p in points.items()],
    )
    done = _attempt(
        request,
        form,
        lambda data: services.action_add(
            actor=request.user, commitment=commitment, title=data["title"], owner=data["owner"],
            due_on=data["due_on"], points=[points[k] for k in data["points"]],
        ),
    )  # fmt: skip
    if done.ok:
        messages.success(request, "Action added.")
        return redirect("coproduction:commitment", public_id=commitment.public_id)
    return _page(request, "form.html", form=form, heading="Add an action", caption=commitment.title,
                 submit="Add the action",
                 back=reverse("coproduction:commitment", args=[commitment.public_id]))  # fmt: skip


@policy.route(*COMMISSIONER, check=policy.can_manage_commitments)
def action_update(request: HttpRequest, public_id: str, action_id: str) -> HttpResponse:
    commitment = selectors.commitment_get(user=request.user, public_id=public_id)
    action = selectors.action_get(user=request.user, commitment=commitment, public_id=action_id)
    form = forms.ActionUpdateForm(request.POST or None, initial={"status": action.status, "progress": action.progress})
    done = _attempt(request, form, lambda data: services.action_update(actor=request.user, action=action, **data))
    if done.ok:
        messages.success(request, "Progress recorded.")
        return redirect("coproduction:commitment", public_id=commitment.public_id)
    return _page(request, "form.html", form=form, heading="Record progress", caption=action.title,
                 submit="Record progress",
                 back=reverse("coproduction:commitment", args=[commitment.public_id]))  # fmt: skip


# --- the public page --------------------------------------------------------------------------------------------


@policy.route(public=True)
def public_commitment(request: HttpRequest, public_id: str) -> HttpResponse:
    """You said, we did: open points, decisions and actions' progress. No sign-in, nothing given in confidence."""
    commitment = selectors.public_commitment(public_id)
    return _page(
        request,
        "public_commitment.html",
        commitment=commitment,
        points=selectors.public_points(commitment),
        actions=selectors.actions_with_timeline(commitment),
        current=selectors.current_assessment(commitment),
        communities=dict(Community.choices),
    )


# --- survivors' voice -------------------------------------------------------------------------------------------


@policy.route(Role.CASEWORKER, Role.SERVICE_MANAGER)
def feedback_offer(request: HttpRequest, public_id: str) -> HttpResponse:
    target = selectors.feedback_offer_target(user=request.user, public_id=public_id)
    form = forms.FeedbackOfferForm(request.POST or None, methods=target.methods)
    done = _attempt(
        request,
        form,
        lambda data: services.feedback_offer(
            actor=request.user, case=target.case, method=data["method"],
            safe_methods=frozenset(code for code, _ in target.methods),
        ),
    )  # fmt: skip
    link = request.build_absolute_uri(reverse("coproduction:feedback_start", args=[done.value])) if done.ok else ""
    response = _page(request, "feedback_offer.html", target=target, form=form, link=link,
                     method=dict(target.methods).get(form.cleaned_data.get("method", "")) if link else "")  # fmt: skip
    response["Cache-Control"] = "no-store"  # the link is shown once
    return response


@policy.route(public=True)
def feedback_start(request: HttpRequest, token: str) -> HttpResponse:
    """The link she was sent: its token's hash moves into her session, and the address bar (and history) loses it."""
    if not selectors.feedback_token_valid(token):
        return _page(request, "feedback_used.html")
    request.session[FEEDBACK_SESSION_KEY] = services.token_hash(token)
    return redirect("coproduction:feedback_form")


@policy.route(public=True)
def feedback_form(request: HttpRequest) -> HttpResponse:
    digest = request.session.get(FEEDBACK_SESSION_KEY, "")
    if not selectors.feedback_link_valid(digest):
        return _page(request, "feedback_used.html")
    form = forms.FeedbackForm(request.POST or None)
    done = _attempt(
        request,
        form,
        lambda data: services.feedback_submit(
            digest=digest, answers=services.FeedbackInput(**{k: v or "" for k, v in data.items()})
        ),
    )
    if done.ok:
        del request.session[FEEDBACK_SESSION_KEY]
        return _page(request, "feedback_thanks.html")
    return _page(request, "feedback_form.html", form=form, threshold=selectors.FEEDBACK_THRESHOLD)


@policy.route(check=policy.can_read_feedback)
def feedback_results(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        "feedback_results.html",
        overall=selectors.feedback_for_commissioner(user=request.user),
        services=selectors.feedback_for_manager(user=request.user),
        questions=selectors.QUESTIONS,
        threshold=selectors.FEEDBACK_THRESHOLD,
    )


@policy.route(*COMMISSIONER, check=policy.can_see_commissioning_evidence)
def funding(request: HttpRequest) -> HttpResponse:
    return _page(request, "funding.html", rows=selectors.funding_share(user=request.user),
                 threshold=selectors.FEEDBACK_THRESHOLD)  # fmt: skip
