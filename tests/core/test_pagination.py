"""Moving between pages keeps what the list was filtered by (a waiting list narrowed to one service, say)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.template import RequestContext, Template
from django.test import RequestFactory


def test_page_links_keep_the_filter():
    request = RequestFactory().get("/cases/waiting/", {"service": "7", "page": "2"})
    page = Paginator(list(range(120)), 50).get_page(2)
    html = Template('{% include "includes/pagination.html" %}').render(RequestContext(request, {"page": page}))
    assert 'href="?service=7&amp;page=1"' in html
    assert 'href="?service=7&amp;page=3"' in html
