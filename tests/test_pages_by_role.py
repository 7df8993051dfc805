"""Every page, walked as each role: a user is never offered a form, button or link she cannot use.

The tree is the shared two-county fixture filled with the demo's own data (conversions, the
campaign, the checklist, problems, key tasks, funding), plus a draft election and duplicates.
"""

import datetime
import re

import pytest
from django.urls import resolve, reverse

from executives.rotation import demo_rotation
from orgtree.management.commands.load_demo import demo_changes, demo_conversions, demo_duties, demo_regionalizations
from orgtree.models import Election, Person
from reform.models import ChecklistItem, Problem
from tests.orgtree.test_elections import build_election

FORM = re.compile(r"<form\b[^>]*>", re.S)
HREF = re.compile(r'href="(/[^"#]*)')


@pytest.fixture
def demo(tree, users, settings, tmp_path):
    from executives.contacts_demo import demo_contacts
    from executives.demo_activities import demo_activities
    from executives.demo_training import demo_training
    from funding.demo import demo_funding
    from reform.demo import demo_reform
    from register.demo import demo_register

    settings.MEDIA_ROOT = tmp_path
    demo_conversions()
    assert demo_changes() == 4 and demo_changes() == 0  # a second run skips
    demo_reform()
    demo_funding()
    demo_rotation()
    demo_duties()
    demo_regionalizations()
    demo_activities()
    demo_training()
    assert demo_contacts()
    assert demo_register()
    draft = build_election(tree.village_a3)
    Person.objects.create(unit=tree.village_a3, name="重名人员", birth_date=datetime.date(1980, 1, 1))
    Person.objects.create(unit=tree.village_a2, name="重名人员", birth_date=datetime.date(1980, 1, 1))
    return {"draft": draft}


def pages(tree, demo):
    """Every GET page of county A's part of the tree (and the city's), with real objects."""
    urls = [
        reverse(n) for n in ("orgtree:unit_list", "orgtree:person_list", "orgtree:person_duplicates", "notifications")
    ]
    for unit in (tree.city, tree.county_a, tree.township_a, tree.village_a1, tree.village_a3):
        names = [
            "orgtree:unit_detail",
            "orgtree:committee",
            "orgtree:renewals",
            "reform:overview",
            "reform:checklist",
            "reform:problems",
            "reform:tasks",
            "reform:diagnosis",
            "reform:visits",
            "reform:weekly",
            "reform:reports",
            "funding:funding",
            "executives:rotation",
            "executives:activities",
            "executives:points_rules",
            "executives:training",
            "executives:contacts",
        ]
        if unit.kind in ("county", "township", "street"):
            names += ["executives:ranking"]
        if unit.kind not in ("village", "community"):
            names += ["orgtree:dashboard", "orgtree:conversion_grid", "register:organizations"]
        if unit.kind in ("city", "county"):
            names += ["register:rule"]
        urls += [reverse(n, args=[unit.pk]) for n in names]
    urls.append(reverse("orgtree:committee", args=[tree.village_a2.pk]))  # who left, the by-elected, the appointed
    elections = Election.objects.filter(unit__county=tree.county_a)
    assert elections.filter(status=Election.Status.CERTIFIED).exists() and demo["draft"] in elections
    urls += [e.get_absolute_url() for e in elections]
    urls += [reverse("orgtree:person_detail", args=[p.pk]) for p in Person.objects.filter(unit=tree.village_a1)[:2]]
    for unit in (tree.county_a, tree.township_a):  # automatic, filled, submitted and pending items
        items = ChecklistItem.objects.filter(unit=unit).order_by("status", "template_item__order")
        urls += [reverse("reform:item", args=[i.pk]) for i in items if i.template_item.automatic or i.value is not None]
        urls += [reverse("reform:item", args=[i.pk]) for i in items.filter(status="pending")[:2]]
    urls += [reverse("reform:problem", args=[p.pk]) for p in Problem.objects.all()]
    from reform.models import Visit

    assert Visit.objects.filter(unit=tree.county_a).exists()
    urls += [v.get_absolute_url() for v in Visit.objects.all()]
    from reform.models import Report, ReportPlan

    reported = Report.objects.filter(unit=tree.county_a).order_by("-period_end")
    assert reported.exists(), "the demo's counties report weekly"
    for plan in ReportPlan.objects.all():
        urls += [reverse("reform:report_plan", args=[u.pk, plan.pk]) for u in (tree.city, tree.county_a)]
    urls += [r.get_absolute_url() for r in reported[:2]]
    urls += [
        reverse("reform:report_period", args=[u.pk, r.plan_id, r.period_end.isoformat()])
        for r in reported[:1]
        for u in (tree.city, tree.county_a)
    ]
    from reform.models import Campaign

    urls += [reverse("reform:campaign", args=[tree.county_a.pk, c.pk]) for c in Campaign.objects.all()]
    from executives.models import Activity

    urls += [a.get_absolute_url() for a in Activity.objects.filter(unit__county=tree.county_a)[:3]]
    from executives.models import TrainingSession

    sessions = TrainingSession.objects.filter(tree.county_a.subtree_q("unit__"))
    assert sessions.exists()
    urls += [s.get_absolute_url() for s in sessions]
    # people who are executives: their pages show training, contacts, activities, evaluations, rotation
    from executives.models import Attendance, ContactList, Evaluation

    executives = {
        *Attendance.objects.filter(session__in=sessions).values_list("person_id", flat=True)[:2],
        *ContactList.objects.filter(unit__county=tree.county_a).values_list("office__person_id", flat=True)[:2],
        *Evaluation.objects.filter(unit__county=tree.county_a).values_list("person_id", flat=True)[:2],
    }
    assert executives
    urls += [reverse("orgtree:person_detail", args=[pk]) for pk in sorted(executives)]
    from register.models import Organization

    registered = Organization.objects.filter(unit__in=[tree.city, tree.county_a, tree.township_a]).order_by("pk")
    assert registered.filter(committee__isnull=False).exists() and registered.filter(committee__isnull=True).exists()
    urls += [o.get_absolute_url() for o in [*registered.filter(committee__isnull=False)[:2], *registered[18:22]]]
    return urls


def post_forms(page):
    """The <form method="post"> tags of a page other than those every user may send (log out, language,
    her own notices read)."""
    allowed = (
        f'action="{reverse("logout")}"',
        f'action="{reverse("set_language")}"',
        f'action="{reverse("notifications_read")}"',
    )
    return [f for f in FORM.findall(page) if 'method="post"' in f and not any(a in f for a in allowed)]


def check_links(client, pages_seen):
    """Every in-site link on the pages opens for this user (no 403 behind a button or link)."""
    links = set()
    for page in pages_seen:
        links.update(h.replace("&amp;", "&") for h in HREF.findall(page))
    links -= {reverse("logout")}
    per_name = {}  # a few links of each kind are enough (the tasks of one county, not all 40 items)
    for link in sorted(links):
        if not link.startswith(("/static/", "/admin/", "/api/")):
            per_name.setdefault(resolve(link.split("?")[0]).url_name, []).append(link)
    forbidden = [link for found in per_name.values() for link in found[:4] if client.get(link).status_code == 403]
    assert forbidden == []


def test_a_viewer_is_offered_no_form_and_no_link_she_cannot_use(client, tree, users, demo):
    client.force_login(users.viewer)
    seen = []
    for url in pages(tree, demo):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert post_forms(page) == [], url
        seen.append(page)
    check_links(client, seen)


def test_a_viewer_sees_a_certified_election_without_the_amend_form_or_officer_selects(client, tree, users, demo):
    certified = Election.objects.filter(unit=tree.village_a1, status=Election.Status.CERTIFIED).get()
    client.force_login(users.viewer)
    page = client.get(certified.get_absolute_url()).content.decode()
    assert "election_amend" not in page and reverse("orgtree:election_amend", args=[certified.pk]) not in page
    main = page.split("<main>", 1)[1]
    assert "<select" not in main and "<input" not in main
    assert "主席" in main  # the officers, read-only
    client.force_login(users.editor_a)
    page = client.get(certified.get_absolute_url()).content.decode()
    assert reverse("orgtree:election_amend", args=[certified.pk]) in page


def test_an_editor_gets_no_admin_only_form_or_link(client, tree, users, demo):
    client.force_login(users.editor_a)
    seen = []
    for url in pages(tree, demo):
        response = client.get(url)
        if response.status_code == 404:  # the city is outside her county
            continue
        page = response.content.decode()
        assert 'value="standard"' not in page, url  # funding standards: admins only
        assert reverse("reform:campaign_create", args=[tree.county_a.pk]) not in page, url
        seen.append(page)
    check_links(client, seen)
    # ...while the county's admin has both.
    client.force_login(users.admin_a)
    assert 'value="standard"' in client.get(reverse("funding:funding", args=[tree.county_a.pk])).content.decode()
    assert (
        reverse("reform:campaign_create", args=[tree.county_a.pk])
        in client.get(reverse("reform:overview", args=[tree.county_a.pk])).content.decode()
    )


def test_possible_duplicates_offer_the_merge_only_to_who_may_merge(client, users, demo):
    client.force_login(users.viewer)
    page = client.get(reverse("orgtree:person_duplicates")).content.decode()
    assert "重名人员" in page and 'name="keep"' not in page
    client.force_login(users.editor_a)
    assert 'name="keep"' in client.get(reverse("orgtree:person_duplicates")).content.decode()
