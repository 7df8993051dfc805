"""No code value, English field name or foreign date format reaches a page: every page of the
demo-like tree, read and write, is checked word by word in each role."""

import html
import re

from django.urls import reverse

from executives.models import TrainingSession
from orgtree.models import Election
from register.models import Organization
from tests.test_pages_by_role import demo, pages  # noqa: F401 - the fixture

# English that legitimately stays on a Chinese page: product and file-format names.
ALLOWED = {"API", "Excel", "PDF", "JPG", "PNG", "Word", "MB", "DOCX", "XLSX", "xlsx"}
FOREIGN_DATES = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|\d{4}/\d{1,2}/\d{1,2}|\b[A-Z][a-z]{2}\. \d{1,2}, \d{4}")


def visible_text(page):
    """What a reader sees: no tags, scripts or attributes (the change history included)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def english_words(client, url, user):
    response = client.get(url)
    assert response.status_code == 200, url
    text = visible_text(response.content.decode())
    assert not FOREIGN_DATES.search(text), (url, FOREIGN_DATES.search(text))
    return set(re.findall(r"[A-Za-z][A-Za-z_'-]+", text)) - ALLOWED - {user.username}


def write_pages(tree):
    draft = Election.objects.filter(unit=tree.village_a3, status=Election.Status.DRAFT).get()
    return (
        [
            reverse(n, args=[tree.county_a.pk])
            for n in (
                "orgtree:unit_edit",
                "orgtree:unit_create",
                "orgtree:election_create",
                "orgtree:person_create",
                "reform:campaign_create",
                "orgtree:conversion_import",
                "orgtree:regionalization_import",
                "funding:import",
                "executives:training_import",
                "register:organization_create",
            )
        ]
        + [
            reverse("register:organization_edit", args=[o.pk])
            for o in Organization.objects.filter(unit__county=tree.county_a).order_by("pk")[:2]
        ]
        + [
            reverse(name, args=[session.pk])
            for session in TrainingSession.objects.filter(unit=tree.county_a)
            for name in ("executives:training_edit", "executives:training_tick")
        ]
        + [
            reverse("orgtree:unit_move", args=[tree.township_a.pk]),
            reverse("orgtree:unit_close", args=[tree.township_a.pk]),
            reverse("orgtree:conversion_edit", args=[tree.village_a1.pk]),
            reverse("orgtree:term_delay", args=[tree.village_a1.pk]),
            reverse("orgtree:committee_duties", args=[tree.village_a1.pk]),
            reverse("executives:rotation", args=[tree.township_a.pk]),
            reverse("executives:rotation", args=[tree.village_a1.pk]),
            reverse("orgtree:office_leave", args=[tree.village_a1.pk]),
            reverse("orgtree:vice_chair_appoint", args=[tree.village_a1.pk]),
            reverse("orgtree:election_create", args=[tree.village_a1.pk]) + "?kind=by_election",
            draft.get_absolute_url(),
            reverse("executives:activity_create", args=[tree.village_a1.pk]),
            reverse("executives:points_rules", args=[tree.county_a.pk]),
            *evaluation_pages(tree),
            *contact_pages(tree),
            *report_pages(tree),
        ]
    )


def report_pages(tree):
    """County A's 报送 tab and its report of the current period, with the form to fill it."""
    from django.utils import timezone

    from reform import reports
    from reform.models import ReportPlan

    plan = ReportPlan.objects.get(unit=tree.city)
    _first, last = reports.plan_period(plan, timezone.localdate())
    return [
        reverse("reform:reports", args=[tree.county_a.pk]),
        reverse("reform:report", args=[tree.county_a.pk, plan.pk, last.isoformat()]),
    ]


def contact_pages(tree):
    """The contact list, a log entry and a named contact of county A (the demo's), to edit or erase."""
    from executives.models import ContactList, ContactVisit, NamedContact

    listed = ContactList.objects.filter(unit__county=tree.county_a).first()
    visit = ContactVisit.objects.filter(unit__county=tree.county_a).first()
    named = NamedContact.objects.filter(unit__county=tree.county_a, erased_at__isnull=True).first()
    assert listed and visit, "the demo records contacts in county A"
    urls = [
        reverse("executives:contact_list_edit", args=[listed.office_id]),
        reverse("executives:contact_visit_edit", args=[visit.pk]),
    ]
    if named is not None:
        urls += [
            reverse("executives:named_contact_edit", args=[named.pk]),
            reverse("executives:named_contact_erase", args=[named.pk]),
        ]
    return urls


def evaluation_pages(tree):
    from executives.models import Evaluation

    found = Evaluation.objects.filter(unit__county=tree.county_a)[:1]
    assert found, "the demo evaluates executives of county A"
    return [reverse("executives:evaluation", args=[e.unit_id, e.person_id]) + f"?year={e.year}" for e in found]


def test_every_page_speaks_chinese_in_every_role(client, tree, users, demo):  # noqa: F811
    for user in (users.viewer, users.root):
        client.force_login(user)
        found = {url: english_words(client, url, user) for url in pages(tree, demo)}
        assert {url: words for url, words in found.items() if words} == {}, user.username
    client.force_login(users.admin_a)
    found = {url: english_words(client, url, users.admin_a) for url in write_pages(tree)}
    assert {url: words for url, words in found.items() if words} == {}


def test_the_election_page_names_kind_and_method_in_chinese(client, tree, users, demo):  # noqa: F811
    certified = Election.objects.filter(unit=tree.village_a1, status=Election.Status.CERTIFIED).get()
    client.force_login(users.viewer)
    text = visible_text(client.get(certified.get_absolute_url()).content.decode())
    assert "会改联选举" in text and "妇女大会" in text
    assert certified.held_on.isoformat() in text
    for code in ("conversion", "assembly", "renewal", "certified"):
        assert code not in text
