"""The one search box. POST only for the search itself: what was typed is personal data and must never land in a URL
(browser history, server logs, the Referer header)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from carehub.accounts import policy
from carehub.search import query as search_query
from carehub.search import selectors
from carehub.search.forms import SearchForm

UNCLEAR = "Enter a reference, a name with a date of birth (day/month/year), a phone number, or a postcode with a name."


@never_cache
@policy.route(check=policy.can_search_people)
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.POST if request.method == "POST" else None)
    context: dict = {"form": form, "searched": False}
    if form.is_bound and form.is_valid():
        parsed = search_query.parse(form.cleaned_data["q"])
        if parsed.kind == search_query.Kind.UNCLEAR:
            form.add_error("q", UNCLEAR)
        else:
            found = selectors.search(user=request.user, query=parsed)
            context.update(
                searched=True,
                referrals=[(r, selectors.safe_label(r.survivor)) for r in found.referrals],
                cases=[(c, selectors.safe_label(c.survivor)) for c in found.cases],
                count=found.count,
            )
    return render(request, "search/search.html", context)
