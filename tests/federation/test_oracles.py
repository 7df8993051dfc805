"""No oracles: an id outside the writer's scope answers exactly like an id of no object.

For every foreign key the API and the pages accept, and every id filter, the same request is
sent three times: with an id in scope (it works, so the request is otherwise right), with an id
in another county and with an id of nothing. The last two must give the same status and the same
body once the id itself is blanked out.
"""

import datetime
import json
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse

from executives.models import ActivityType
from federation.api_fields import ScopedFilterSet, ScopedPrimaryKeyRelatedField
from federation.models import Role
from orgtree.models import Office, Person, Term, Unit
from reform import services as reform_services
from tests.conftest import scoped_user
from tests.orgtree.test_elections import build_election

MISSING = 987654321


@pytest.fixture
def world(tree, users):
    """County A's objects (usable by editor_a) and county B's twins (outside her scope)."""
    w = SimpleNamespace(tree=tree, users=users)
    city_admin = scoped_user("city_admin", tree.city, Role.ADMIN)
    w.person_a = Person.objects.create(unit=tree.village_a1, name="甲县人员")
    w.person_b = Person.objects.create(unit=tree.village_b1, name="乙县人员")
    w.election_a = build_election(tree.village_a1)
    w.on_ballot_a = w.election_a.candidates.first().person
    w.term_a = Term.objects.create(
        unit=tree.village_a1, number=1, started_on=datetime.date(2019, 1, 1), due_on=datetime.date(2024, 1, 1)
    )
    w.term_b = Term.objects.create(
        unit=tree.village_b1, number=1, started_on=datetime.date(2019, 1, 1), due_on=datetime.date(2024, 1, 1)
    )
    Office.objects.create(unit=tree.village_b1, person=w.person_b, term=w.term_b, started_on=w.term_b.started_on)
    day = datetime.date(2099, 1, 1)
    w.campaign_city = reform_services.create_campaign(
        city_admin, tree.city, [], name="百日攻坚", starts_on=day, ends_on=day + datetime.timedelta(days=90)
    )
    w.campaign_b = reform_services.create_campaign(
        scoped_user("admin_b", tree.county_b, Role.ADMIN),
        tree.county_b,
        [],
        name="乙县攻坚",
        starts_on=day,
        ends_on=day + datetime.timedelta(days=90),
    )
    return w


# (name, user, method, url(w), body(w, id) or None for a GET, in-scope id(w), out-of-scope id(w))
WRITES = [
    (
        "approval unit (submit)",
        "editor_a",
        "post",
        lambda w: "/api/approvals/",
        lambda w, x: {"unit": x, "set_name": "conversion"},
        lambda w: w.tree.township_a.pk,
        lambda w: w.tree.township_b.pk,
    ),
    (
        "unit parent (create)",
        "editor_a",
        "post",
        lambda w: "/api/units/",
        lambda w, x: {"kind": "community", "name": "新社区", "parent": x},
        lambda w: w.tree.township_a.pk,
        lambda w: w.tree.township_b.pk,
    ),
    (
        "unit parent (move)",
        "editor_a",
        "patch",
        lambda w: f"/api/units/{w.tree.village_a1.pk}/",
        lambda w, x: {"parent": x},
        lambda w: w.tree.township_a.pk,
        lambda w: w.tree.township_b.pk,
    ),
    (
        "person unit (create)",
        "editor_a",
        "post",
        lambda w: "/api/people/",
        lambda w, x: {"unit": x, "name": "王芳"},
        lambda w: w.tree.village_a1.pk,
        lambda w: w.tree.village_b1.pk,
    ),
    (
        "person unit (edit)",
        "editor_a",
        "patch",
        lambda w: f"/api/people/{w.person_a.pk}/",
        lambda w, x: {"unit": x},
        lambda w: w.tree.village_a2.pk,
        lambda w: w.tree.village_b1.pk,
    ),
    (
        "election unit",
        "editor_a",
        "post",
        lambda w: "/api/elections/",
        lambda w, x: {"unit": x, "kind": "renewal"},
        lambda w: w.tree.village_a2.pk,
        lambda w: w.tree.village_b1.pk,
    ),
    (
        "officer person",
        "editor_a",
        "put",
        lambda w: f"/api/elections/{w.election_a.pk}/officers/",
        lambda w, x: [{"person": x, "role": "chair"}],
        lambda w: w.on_ballot_a.pk,
        lambda w: w.person_b.pk,
    ),
    (
        "problem unit",
        "editor_a",
        "post",
        lambda w: "/api/problems/",
        lambda w, x: {
            "unit": x,
            "area": "organization",
            "description": "x",
            "found_on": "2026-09-01",
            "deadline": "2026-10-01",
            "responsible": "张",
        },
        lambda w: w.tree.village_a1.pk,
        lambda w: w.tree.village_b1.pk,
    ),
    (
        "key task unit",
        "editor_a",
        "post",
        lambda w: "/api/key-tasks/",
        lambda w, x: {"unit": x, "title": "换届", "deadline": "2026-12-31"},
        lambda w: w.tree.township_a.pk,
        lambda w: w.tree.township_b.pk,
    ),
    (
        "key task campaign",
        "editor_a",
        "post",
        lambda w: "/api/key-tasks/",
        lambda w, x: {"unit": w.tree.township_a.pk, "campaign": x, "title": "换届", "deadline": "2026-12-31"},
        lambda w: w.campaign_city.pk,
        lambda w: w.campaign_b.pk,
    ),
    (
        "funding record unit",
        "editor_a",
        "post",
        lambda w: "/api/funding-records/",
        lambda w, x: {"unit": x, "year": 2024, "category": "work_funds", "source": "social", "budgeted": "5"},
        lambda w: w.tree.township_a.pk,
        lambda w: w.tree.township_b.pk,
    ),
    (
        "population unit",
        "editor_a",
        "post",
        lambda w: "/api/women-population/",
        lambda w, x: {"unit": x, "year": 2024, "women": 1000},
        lambda w: w.tree.county_a.pk,
        lambda w: w.tree.county_b.pk,
    ),
    (
        "project unit",
        "editor_a",
        "post",
        lambda w: "/api/projects/",
        lambda w, x: {"unit": x, "name": "巾帼家政培训", "year": 2024, "amount": "1.00", "source": "higher_federation"},
        lambda w: w.tree.county_a.pk,
        lambda w: w.tree.county_b.pk,
    ),
    (
        "training session unit",
        "editor_a",
        "post",
        lambda w: "/api/training-sessions/",
        lambda w, x: {
            "unit": x,
            "title": "领头雁培训",
            "type": "lead_goose",
            "starts_on": "2026-03-01",
            "ends_on": "2026-03-02",
            "hours": "8",
        },
        lambda w: w.tree.township_a.pk,
        lambda w: w.tree.township_b.pk,
    ),
    (
        "activity unit",
        "editor_a",
        "post",
        lambda w: "/api/activities/",
        lambda w, x: {
            "unit": x,
            "activity_type": ActivityType.objects.filter(active=True).order_by("pk").first().pk,
            "held_on": "2026-03-01",
            "place": "村委会",
            "participants": 12,
        },
        lambda w: w.tree.village_a1.pk,
        lambda w: w.tree.village_b1.pk,
    ),
    (
        "standard unit",
        "admin_a",
        "post",
        lambda w: "/api/funding-standards/",
        lambda w, x: {"unit": x, "year": 2024, "township_funds": "30000"},
        lambda w: w.tree.county_a.pk,
        lambda w: w.tree.county_b.pk,
    ),
]

LISTS = [
    "units",
    "people",
    "offices",
    "terms",
    "elections",
    "checklist-items",
    "problems",
    "key-tasks",
    "campaigns",
    "funding-records",
    "women-population",
    "projects",
    "funding-standards",
    # executives (issue #14)
    "activities",
    "points-rules",
    "evaluations",
    "training-sessions",
    "training-attendances",
    "contact-lists",
    "contact-visits",
    "named-contacts",
    # 审核 (issue #16)
    "approvals",
]
FILTERS = [
    *[
        (
            f"{name} within",
            "editor_a",
            "get",
            lambda w, n=name: f"/api/{n}/",
            lambda w, x: {"within": x},
            lambda w: w.tree.county_a.pk,
            lambda w: w.tree.county_b.pk,
        )
        for name in LISTS
    ],
    (
        "units parent",
        "editor_a",
        "get",
        lambda w: "/api/units/",
        lambda w, x: {"parent": x},
        lambda w: w.tree.township_a.pk,
        lambda w: w.tree.township_b.pk,
    ),
    *[
        (
            f"{name} unit",
            "editor_a",
            "get",
            lambda w, n=name: f"/api/{n}/",
            lambda w, x: {"unit": x},
            lambda w: w.tree.village_a1.pk,
            lambda w: w.tree.village_b1.pk,
        )
        for name in (
            "offices",
            "terms",
            "elections",
            "checklist-items",
            "contact-lists",
            "contact-visits",
            "approvals",
        )
    ],
    (
        "offices term",
        "editor_a",
        "get",
        lambda w: "/api/offices/",
        lambda w, x: {"term": x},
        lambda w: w.term_a.pk,
        lambda w: w.term_b.pk,
    ),
]


def blanked(response, pk):
    text = response.content.decode() if response.content else ""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    # The id wherever it is an id, not where its digits are part of a date or time ("2026-12-31").
    return re.sub(rf"(?<![\d:/-]){pk}(?![\d:/-])", "<id>", text)


def send(client, method, url, body):
    if method == "get":
        return client.get(url, body)
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("name", "who", "method", "url", "body", "inside", "outside"),
    WRITES + FILTERS,
    ids=[case[0] for case in WRITES + FILTERS],
)
def test_an_id_outside_the_scope_answers_like_no_object(api, world, name, who, method, url, body, inside, outside):
    client = api(getattr(world.users, who))
    outside_pk = outside(world)
    assert not Unit.objects.filter(pk=MISSING).exists()
    foreign = send(client, method, url(world), body(world, outside_pk))
    missing = send(client, method, url(world), body(world, MISSING))
    assert foreign.status_code == missing.status_code
    assert blanked(foreign, outside_pk) == blanked(missing, MISSING)
    if method != "get":
        assert foreign.status_code == 400, foreign.content
    ok = send(client, method, url(world), body(world, inside(world)))
    assert ok.status_code < 300, ok.content  # the same request with an id she may use goes through


def test_every_writable_foreign_key_and_id_filter_of_the_api_is_scoped():
    """New serializers and filters cannot slip through: every relation the API writes or filters
    on is looked up through the scope."""
    from django.urls import get_resolver

    from federation.api_fields import ScopedFilterBackend

    views = set()

    def walk(patterns):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns)
            elif getattr(p.callback, "cls", None) is not None:
                views.add(p.callback.cls)

    walk(get_resolver().url_patterns)
    viewsets = [v for v in views if hasattr(v, "get_serializer_class") and getattr(v, "serializer_class", None)]
    assert len(viewsets) >= 13
    for view in viewsets:
        serializer = view.serializer_class()
        for field_name, field in serializer.fields.items():
            child = getattr(field, "child_relation", field)
            if hasattr(child, "queryset") and not field.read_only:
                assert isinstance(child, ScopedPrimaryKeyRelatedField), (view.__name__, field_name)
        assert all(isinstance(b(), ScopedFilterBackend) for b in view.filter_backends), view.__name__
        filterset = getattr(view, "filterset_class", None)
        if filterset is not None:
            for f in filterset.base_filters.values():
                assert not hasattr(f, "queryset") or callable(f.queryset), (view.__name__, f)
    assert issubclass(ScopedFilterBackend.filterset_base, ScopedFilterSet)


# Page forms that take ids: (name, user, url(w), data(w, id), in-scope id(w), out-of-scope id(w))
PAGES = [
    (
        "move unit",
        "admin_a",
        lambda w: reverse("orgtree:unit_move", args=[w.tree.village_a1.pk]),
        lambda w, x: {"parent": x, "version": w.tree.village_a1.version},
        lambda w: w.tree.township_a.pk,
        lambda w: w.tree.township_b.pk,
    ),
    (
        "key task unit",
        "editor_a",
        lambda w: reverse("reform:tasks", args=[w.tree.county_a.pk]),
        lambda w, x: {"action": "create", "title": "换届", "unit": x, "deadline": "2026-12-31"},
        lambda w: w.tree.township_a.pk,
        lambda w: w.tree.township_b.pk,
    ),
    (
        "merge people",
        "editor_a",
        lambda w: reverse("orgtree:person_duplicates"),
        lambda w, x: {"keep": w.person_a.pk, "duplicate": x},
        None,
        lambda w: w.person_b.pk,
    ),
]


@pytest.mark.parametrize(("name", "who", "url", "data", "inside", "outside"), PAGES, ids=[p[0] for p in PAGES])
def test_a_page_form_answers_an_id_outside_the_scope_like_no_object(
    client, world, name, who, url, data, inside, outside
):
    client.force_login(getattr(world.users, who))
    outside_pk = outside(world)
    foreign = client.post(url(world), data(world, outside_pk))
    missing = client.post(url(world), data(world, MISSING))
    assert foreign.status_code == missing.status_code
    assert blanked(foreign, outside_pk) == blanked(missing, MISSING)
    if inside is not None:
        ok = client.post(url(world), data(world, inside(world)))
        assert ok.status_code == 302
