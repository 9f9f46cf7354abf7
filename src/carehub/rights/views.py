"""Rights pages: subject access requests, erasure requests, correcting her details. Thin: the access policy fetches
(404 for missing and not-yours alike), a service acts, the page renders or redirects. URLs carry public ids only."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from carehub.accounts import policy
from carehub.audit import services as audit
from carehub.core.actions import attempt, attempt_form
from carehub.core.choices import Role
from carehub.people import services as people_services
from carehub.rights import forms, pack, selectors, services

MANAGER = dict(check=policy.can_handle_rights)


@policy.route(Role.SERVICE_MANAGER, **MANAGER)
def index(request: HttpRequest) -> HttpResponse:
    """Requests to answer, soonest due first, and a way to find her from her referral reference."""
    organisation = selectors.organisation_for(request.user, request.GET.get("org"))
    form = forms.FindForm(request.GET if "reference" in request.GET else None)
    not_found = False
    if form.is_bound and form.is_valid():
        survivor = selectors.find_survivor(
            user=request.user, organisation=organisation, typed=form.cleaned_data["reference"]
        )
        if survivor is not None:
            return redirect("rights:survivor", public_id=survivor.public_id)
        not_found = True
    context = {
        "organisation": organisation,
        "organisations": policy.rights_organisations(request.user),
        "access_requests": [
            (r, selectors.days_left(r.due_on)) for r in selectors.open_access_requests(user=request.user)
        ],
        "erasure_requests": selectors.waiting_erasure_requests(user=request.user),
        "form": form,
        "not_found": not_found,
    }
    return render(request, "rights/index.html", context)


@policy.route(Role.SERVICE_MANAGER, **MANAGER)
@audit.batched_page
def survivor(request: HttpRequest, public_id: str) -> HttpResponse:
    organisation, her = selectors.her_record(request.user, public_id, request.GET.get("org"))
    context = {
        "her": her,
        "identity": her.identity,
        "organisation": organisation,
        "requests": selectors.requests_about(user=request.user, survivor=her),
    }
    return render(request, "rights/survivor.html", context)


def _form_page(request: HttpRequest, form, context: dict, template: str = "rights/form.html") -> HttpResponse:
    """A rights form page: 400 when the form or the service refused (so a test or a script sees it failed)."""
    context = {"form": form, "forms_with_errors": [form] if form.errors else [], **context}
    return render(request, template, context, status=400 if form.errors or context.get("error") else 200)


@policy.route(Role.SERVICE_MANAGER, **MANAGER)
def access_open(request: HttpRequest, public_id: str) -> HttpResponse:
    organisation, her = selectors.her_record(request.user, public_id, request.GET.get("org"))
    form = forms.AccessOpenForm(request.POST or None)
    done = attempt_form(
        request,
        form,
        lambda data: services.subject_access_open(
            actor=request.user,
            survivor=her,
            organisation=organisation,
            received_on=data["received_on"],
            redact_staff_names=data["redact_staff_names"],
        ),
    )
    if done.ok:
        messages.success(request, f"Request opened: it is due by {done.value.due_on:%-d %B %Y}.")
        return redirect("rights:access", public_id=done.value.public_id)
    return _form_page(
        request,
        form,
        {
            "heading": "Open a subject access request",
            "caption": f"For {organisation.name}",
            "intro": "She asked what we hold about her. The answer is due one calendar month after the request "
            "was received.",
            "submit": "Open the request",
            "back": ("rights:survivor", her.public_id),
            "error": done.error,
        },
    )


@policy.route(Role.SERVICE_MANAGER, **MANAGER)
def access(request: HttpRequest, public_id: str) -> HttpResponse:
    sar = policy.get_subject_access_request_for_user(request.user, public_id)
    context = {"sar": sar, "days_left": selectors.days_left(sar.due_on), "redactions": services.redactions_of(sar)}
    return render(request, "rights/access.html", context)


@policy.route(Role.SERVICE_MANAGER, **MANAGER)
def access_extend(request: HttpRequest, public_id: str) -> HttpResponse:
    sar = policy.get_subject_access_request_for_user(request.user, public_id)
    form = forms.ExtendForm(request.POST or None)
    done = attempt_form(
        request,
        form,
        lambda data: services.subject_access_extend(
            actor=request.user, request=sar, months=data["months"], reason=data["reason"]
        ),
    )
    if done.ok:
        messages.success(request, f"Extended: now due by {sar.due_on:%-d %B %Y}.")
        return redirect("rights:access", public_id=sar.public_id)
    return _form_page(
        request,
        form,
        {
            "heading": "Extend the time to answer",
            "caption": f"Subject access request {sar}",
            "intro": "A complex request may take up to two further months. Tell her within the first month.",
            "submit": "Extend",
            "back": ("rights:access", sar.public_id),
            "error": done.error,
        },
    )


@policy.route(Role.SERVICE_MANAGER, **MANAGER)
def access_review(request: HttpRequest, public_id: str) -> HttpResponse:
    """The pack as it would be released, with the reviewer's marks: passages, whole items, staff names."""
    sar = policy.get_subject_access_request_for_user(request.user, public_id)
    if sar.is_released:
        return redirect("rights:access", public_id=sar.public_id)
    built = pack.build(sar)
    redactions = services.redactions_of(sar)
    item_ids = [item["id"] for section in built.data["sections"] for item in section["items"]]
    initial = {
        "passages": "\n".join(redactions.passages),
        "redact_staff_names": redactions.staff_names,
        "withheld": sorted(redactions.withheld),
    }
    form = forms.ReviewForm(request.POST or None, initial=initial, item_ids=item_ids)
    done = attempt_form(
        request,
        form,
        lambda data: services.subject_access_review(
            actor=request.user,
            request=sar,
            passages=form.passage_list,
            withheld=data["withheld"],
            redact_staff_names=data["redact_staff_names"],
        ),
    )
    if done.ok:
        messages.success(request, "Redactions saved. Check the pack below, then release it from the request page.")
        return redirect("rights:access_review", public_id=sar.public_id)
    context = {
        "sar": sar,
        "error": done.error,
        "preview": pack.redact(built, redactions),
        "originals": {item["id"]: item for section in built.data["sections"] for item in section["items"]},
        "withheld": set(redactions.withheld),
    }
    return _form_page(request, form, context, "rights/review.html")


@policy.route(Role.SERVICE_MANAGER, **MANAGER)
@require_POST
def access_release(request: HttpRequest, public_id: str) -> HttpResponse:
    sar = policy.get_subject_access_request_for_user(request.user, public_id)
    done = attempt(lambda: services.subject_access_release(actor=request.user, request=sar))
    if done.ok:
        messages.success(request, "Released: the pack can now be downloaded and given to her.")
    else:
        messages.error(request, done.error)
    return redirect("rights:access", public_id=sar.public_id)


@policy.route(Role.SERVICE_MANAGER, **MANAGER)
def access_download(request: HttpRequest, public_id: str, kind: str) -> HttpResponse:
    """The released pack as a file named by the request's number (never her name). Not released: 404."""
    sar = policy.get_subject_access_request_for_user(request.user, public_id)
    done = attempt(lambda: services.subject_access_download(actor=request.user, request=sar, kind=kind))
    if not done.ok:
        raise Http404
    response = HttpResponse(done.value, content_type=services.DOWNLOAD_FORMATS[kind])
    response["Content-Disposition"] = f'attachment; filename="subject-access-{sar.public_id}.{kind}"'
    if kind == "html":
        response._csp_replace = {"style-src": [pack.style_hash()], "img-src": ["'none'"], "font-src": ["'none'"]}
    return response


# --- erasure on request ------------------------------------------------------------------------------------------


@policy.route(Role.SERVICE_MANAGER, **MANAGER)
def erasure_open(request: HttpRequest, public_id: str) -> HttpResponse:
    organisation, her = selectors.her_record(request.user, public_id, request.GET.get("org"))
    form = forms.ErasureOpenForm(request.POST or None)
    done = attempt_form(
        request,
        form,
        lambda data: services.erasure_request(
            actor=request.user, survivor=her, organisation=organisation, received_on=data["received_on"]
        ),
    )
    if done.ok:
        messages.success(request, "Erasure request recorded. It now needs a decision.")
        return redirect("rights:erasure", public_id=done.value.public_id)
    return _form_page(
        request,
        form,
        {
            "heading": "Record a request to be erased",
            "caption": f"For {organisation.name}",
            "intro": "She asked for her records to be erased. A manager decides, with a reason: erasure can be "
            "refused where her records must be kept, for example to safeguard her or children.",
            "submit": "Record the request",
            "back": ("rights:survivor", her.public_id),
            "error": done.error,
        },
    )


@policy.route(Role.SERVICE_MANAGER, **MANAGER)
def erasure(request: HttpRequest, public_id: str) -> HttpResponse:
    """The request, and while it waits the decision form (approve or refuse, on a ground)."""
    er = policy.get_erasure_request_for_user(request.user, public_id)
    form = forms.ErasureDecideForm(request.POST or None)
    done = attempt_form(
        request,
        form,
        lambda data: services.erasure_decide(
            actor=request.user,
            request=er,
            approve=data["decision"] == "approve",
            ground=data["ground"],
            explanation=data["explanation"],
        ),
    )
    if done.ok:
        messages.success(request, f"Decided: {er.get_status_display().lower()}.")
        return redirect("rights:erasure", public_id=er.public_id)
    context = {
        "er": er,
        "identity": er.survivor.identity,
        "error": done.error,
        # Four eyes (services.erasure_decide): the manager who recorded it is told who must decide, not given a form.
        "recorded_by_you": er.requested_by_id == request.user.pk,
    }
    return _form_page(request, form, context, "rights/erasure.html")


@policy.route(Role.SERVICE_MANAGER, **MANAGER)
@require_POST
def erasure_carry_out(request: HttpRequest, public_id: str) -> HttpResponse:
    er = policy.get_erasure_request_for_user(request.user, public_id)
    done = attempt(lambda: services.erasure_carry_out(actor=request.user, request=er))
    if done.ok:
        messages.success(
            request, "Erased: her data key is destroyed, and her identity and notes can no longer be read."
        )
    else:
        messages.error(request, done.error)
    return redirect("rights:erasure", public_id=er.public_id)


# --- rectification -----------------------------------------------------------------------------------------------


@policy.route(check=policy.can_correct_details)
def rectify(request: HttpRequest, public_id: str) -> HttpResponse:
    """Correct her identity and monitoring answers. The old values are not kept anywhere: the trail says which
    fields changed, never from what."""
    her = policy.get_survivor_for_rectification(request.user, public_id)
    identity = her.identity
    if identity is None:
        raise Http404  # erased: there is nothing to correct, and nothing to show
    immigration = policy.can_see_immigration_status(request.user)
    initial = forms.RectifyForm.initial_for(her, identity, immigration=immigration)
    form = forms.RectifyForm(request.POST or None, initial=initial, immigration=immigration)
    done = attempt_form(
        request,
        form,
        lambda data: people_services.survivor_rectify(
            actor=request.user,
            survivor=her,
            identity=form.identity(),
            monitoring=form.monitoring(),
            reason=data["reason"],
        ),
    )
    if done.ok:
        changed = done.value
        messages.success(
            request,
            f"Corrected: {len(changed)} detail{'s' if len(changed) != 1 else ''} changed."
            if changed
            else "Nothing was changed.",
        )
        return redirect("rights:rectify", public_id=her.public_id)
    return _form_page(
        request,
        form,
        {
            "heading": "Correct her details",
            "caption": f"Record {her.public_id}",
            "intro": "Change what is wrong and save. The old details are not kept: the audit trail records which "
            "details were changed, by whom and when, never what they were.",
            "submit": "Save the corrections",
            "back": None,
            "error": done.error,
        },
    )
