"""Data for 0016: the terms' original due dates, the chairs' posts on their committees, the village
facts the chairs in office make true, the stored per-unit figures that read them, and the weekly
snapshots' renamed keys. The group sums of a database with units are left to a recount (their day
is cleared: until then today's figures are read from the units' rows, as after 0012)."""

import datetime

from django.db import migrations
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

GRASSROOTS_KINDS = ["village", "community"]
RENAMED = {"women_party_secretaries": "chairs_party_secretary", "women_village_directors": "chairs_village_director"}
POSTS = {"is_party_secretary": "on_party_committee", "is_village_director": "on_villagers_committee"}
FACTS = {"is_party_secretary": "secretary_is_woman", "is_village_director": "director_is_woman"}


def forwards(apps, schema_editor):
    db = schema_editor.connection.alias
    Term = apps.get_model("orgtree", "Term")
    TermDelay = apps.get_model("orgtree", "TermDelay")
    Office = apps.get_model("orgtree", "Office")
    OfficerChoice = apps.get_model("orgtree", "OfficerChoice")
    Unit = apps.get_model("orgtree", "Unit")
    UnitFigures = apps.get_model("orgtree", "UnitFigures")
    GroupFiguresDay = apps.get_model("orgtree", "GroupFiguresDay")
    CoverageSnapshot = apps.get_model("orgtree", "CoverageSnapshot")
    today = datetime.date.today()

    # The due date before the first delay (a delay records the due date it moved).
    first = TermDelay.objects.using(db).filter(term=OuterRef("pk")).order_by("previous_due_on").values("previous_due_on")
    Term.objects.using(db).update(original_due_on=Coalesce(Subquery(first[:1]), F("due_on")))

    # A chair who is secretary (director) sits on the party (villagers') committee.
    for model in (Office, OfficerChoice):
        for post, committee in POSTS.items():
            model.objects.using(db).filter(**{post: True, committee: False}).update(**{committee: True})

    # The village facts a chair in office makes true.
    held = Q(started_on__lte=today) & (Q(ended_on__isnull=True) | Q(ended_on__gt=today))
    for post, fact in FACTS.items():
        chairs = Office.objects.using(db).filter(held, role="chair", **{post: True}).values("unit")
        Unit.objects.using(db).filter(pk__in=chairs, kind__in=GRASSROOTS_KINDS).update(**{fact: True})

    # The stored per-unit figures: the unit's facts, its running term's original due date and delay,
    # and chairs_in_two_committees where the chairs' committees changed above.
    own = Unit.objects.using(db).filter(pk=OuterRef("unit_id"))
    UnitFigures.objects.using(db).filter(unit__in=Unit.objects.using(db).filter(Q(secretary_is_woman=True) | Q(director_is_woman=True))).update(
        secretary_is_woman=Subquery(own.values("secretary_is_woman")[:1]),
        director_is_woman=Subquery(own.values("director_is_woman")[:1]),
    )
    running = Term.objects.using(db).filter(unit=OuterRef("unit_id"), started_on__lte=today).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=today)
    )
    approved = TermDelay.objects.using(db).filter(term=OuterRef("pk"), approved_on__lte=today)
    delayed = running.filter(Exists(approved))
    UnitFigures.objects.using(db).filter(open_term_due_on__isnull=False).update(
        open_term_original_due_on=Subquery(running.values("original_due_on")[:1]),
        open_term_delayed=Exists(delayed),
    )
    two = Office.objects.using(db).filter(held, unit=OuterRef("unit_id"), role="chair").filter(
        Q(on_party_committee=True) | Q(on_villagers_committee=True)
    )
    counted = two.order_by().values("unit").annotate(n=Count("pk")).values("n")[:1]
    posts = Office.objects.using(db).filter(Q(is_party_secretary=True) | Q(is_village_director=True), role="chair")
    UnitFigures.objects.using(db).filter(unit__in=posts.values("unit")).update(
        chairs_in_two_committees=Coalesce(Subquery(counted), 0)
    )
    if UnitFigures.objects.using(db).exists():  # the new sums: counted by the next refresh (nightly)
        GroupFiguresDay.objects.using(db).update(day=None)

    # Snapshots: the chairs' posts were stored under the keys the village facts now take.
    changed = []
    for snapshot in CoverageSnapshot.objects.using(db).iterator(chunk_size=2000):
        if any(key in snapshot.figures for key in RENAMED):
            snapshot.figures = {RENAMED.get(key, key): value for key, value in snapshot.figures.items()}
            changed.append(snapshot)
    CoverageSnapshot.objects.using(db).bulk_update(changed, ["figures"], batch_size=2000)


def backwards(apps, schema_editor):
    CoverageSnapshot = apps.get_model("orgtree", "CoverageSnapshot")
    back = {new: old for old, new in RENAMED.items()}
    changed = []
    for snapshot in CoverageSnapshot.objects.using(schema_editor.connection.alias).iterator(chunk_size=2000):
        if any(key in snapshot.figures for key in back):
            figures = {k: v for k, v in snapshot.figures.items() if k not in RENAMED}
            snapshot.figures = {back.get(key, key): value for key, value in figures.items()}
            changed.append(snapshot)
    CoverageSnapshot.objects.using(schema_editor.connection.alias).bulk_update(changed, ["figures"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("orgtree", "0017_village_posts_and_renewals")]

    operations = [migrations.RunPython(forwards, backwards)]
