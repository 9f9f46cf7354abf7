from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from carehub.accounts import policy
from carehub.core import public_ids
from carehub.core.actions import attempt_form
from carehub.core.choices import Role
from carehub.independent import forms, report, services
from carehub.independent.forms import SealedRiskForm
from carehub.insight.suppression import TOTAL
from carehub.marac import selectors as marac_selectors
from carehub.marac import services as marac_services
from carehub.referrals.selectors import person_context

FORMS = {
    "decision": forms.DecisionForm,
    "complaint": forms.ComplaintForm,
    "outcome": forms.OutcomeForm,
    "disclosure": forms.DisclosureForm,
}


def _sealed_case(request: HttpRequest, public_id: str):
    case = policy.get_case_for_user(request.user, public_id)
    if not case.sealed:
        raise Http404
    return case


def _act(request: HttpRequest, case, action: str, data: dict) -> None:
    if action == "decision":
        services.decision_record(actor=request.user, case=case, **data)
    elif action == "complaint":
        services.complaint_record(actor=request.user, case=case, **data)
    elif action == "outcome":
        complaint = case.complaints.filter(public_id=public_ids.parse(data.pop("complaint"))).first()
        if complaint is None:
            raise Http404
        services.complaint_outcome_record(actor=request.user, complaint=complaint, **data)
    else:
        services.disclosure_record(actor=request.user, case=case, **data)


@policy.route(Role.INDEPENDENT_ADVISER, Role.SERVICE_MANAGER, check=policy.works_in_independent_service)
def case_workspace(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _sealed_case(request, public_id)
    action = request.POST.get("form", "")
    bound = {name: cls(request.POST if action == name else None, prefix=name) for name, cls in FORMS.items()}
    form = bound.get(action)  # the one form posted, if any; a refusal no field takes goes on it
    if (
        form is not None
        and attempt_form(request, form, lambda data: _act(request, case, action, data), errors_on_form=True).ok
    ):
        messages.success(request, "Saved.")
        return redirect("independent:case", public_id=case.public_id)
    disclosures = [(d, case.survivor.unseal(d.what_sealed) or {}) for d in case.disclosures.all()]
    marac = marac_selectors.sealed_marac_for(request.user, case.referral)
    context = {
        "case": case,
        **person_context(request.user, case.referral, policy.person_view_for(request.user, case.referral)),
        "forms": bound,
        "decisions": case.reporting_decisions.all(),
        "complaints": case.complaints.all(),
        "disclosures": disclosures,
        "outcome_choices": forms.OUTCOME_CHOICES,
        "marac": marac,
    }
    has_errors = any(f.errors for f in bound.values())
    return render(request, "independent/case.html", context, status=400 if has_errors else 200)


@policy.route(Role.INDEPENDENT_ADVISER, Role.SERVICE_MANAGER, check=policy.works_in_independent_service)
def risk(request: HttpRequest, public_id: str) -> HttpResponse:
    """The adviser's DASH of a sealed referral: the hub never triages it, so her risk is assessed here, and a
    referral meeting the criteria goes to a sealed MARAC record that names no officer."""
    case = _sealed_case(request, public_id)
    referral = case.referral
    form = SealedRiskForm(request.POST or None, initial={"version": referral.version, "police_callouts_12_months": 0})
    result = attempt_form(
        request,
        form,
        lambda data: marac_services.sealed_assess_and_refer(
            actor=request.user, referral=referral, expected_version=data["version"], triage=form.triage_input()
        ),
    )
    error = result.error
    if result.ok:
        if result.value.marac_referral:
            messages.success(request, "Risk assessment saved. She meets the MARAC criteria: referred to MARAC.")
            marac = marac_selectors.sealed_marac_for(request.user, referral)
            if marac is not None:  # always, for the adviser who referred her: the policy shows her service its own
                return redirect("marac:detail", public_id=marac.public_id)
            return redirect("independent:case", public_id=case.public_id)
        messages.success(request, "Risk assessment saved.")
        return redirect("independent:case", public_id=case.public_id)
    context = {"case": case, "form": form, "error": error, "forms_with_errors": [form] if form.errors else []}
    return render(request, "independent/risk.html", context, status=400 if (form.errors or error) else 200)


@policy.route(
    Role.COMMISSIONER, Role.INDEPENDENT_ADVISER, Role.SERVICE_MANAGER, check=policy.can_see_accountability_report
)
def accountability(request: HttpRequest) -> HttpResponse:
    """Whole quarters only, once each has ended: the page, the CSV and the printable report are the same figures."""
    published = report.build(today=report.publication_date())
    output = request.GET.get("format", "")
    if output == "csv":
        response = HttpResponse(report.as_csv(published), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="accountability-report.csv"'
        return response
    context = {
        "sections": _rendered(published.sections),
        "quarters": published.quarters,
        "published_to": published.published_to,
        "hidden_text": report.HIDDEN_TEXT,
    }
    if output == "html":
        html = render_to_string("independent/accountability_report.html", context)
        response = HttpResponse(html)
        response["Content-Disposition"] = 'attachment; filename="accountability-report.html"'
        return response
    return render(request, "independent/accountability.html", context)


def _rendered(sections):
    out = []
    for section in sections:
        table = section.table
        rows = []
        for row in [*table.rows, TOTAL]:
            label = section.total_label if row == TOTAL else section.row_labels.get(row, row)
            rows.append((label, [report.cell_text(table, row, c) for c in [*table.columns, TOTAL]]))
        out.append(
            {"title": section.title, "unit": section.unit, "columns": [*table.columns, "All quarters"], "rows": rows}
        )
    return out
