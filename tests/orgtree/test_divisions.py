"""load_divisions on real data: counts, idempotence, a later edition, placeholders, .xz, --root."""

import csv
import lzma
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from federation.audit import history_of
from federation.models import ChangeRecord
from orgtree import services
from orgtree.choices import Kind
from orgtree.coverage import coverage
from orgtree.models import Election, Unit
from orgtree.tree import check_tree
from tests.conftest import make

ZHENXING = settings.BASE_DIR / "data/divisions/zhenxing_210603_2023.csv"


def load(path, *args):
    out = StringIO()
    call_command("load_divisions", str(path), *args, stdout=out, stderr=out)
    return out.getvalue()


def rows_of(path):
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["code", "name", "level", "parent_code"])
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def zhenxing(db):
    load(ZHENXING)
    return Unit.objects.get(code="210603")


def test_real_file_loads_every_level(zhenxing):
    assert Unit.objects.filter(kind=Kind.PROVINCE).get().name == "辽宁省"
    assert Unit.objects.filter(kind__in=[Kind.TOWNSHIP, Kind.STREET]).count() == 10
    assert Unit.objects.filter(kind__in=[Kind.VILLAGE, Kind.COMMUNITY]).count() == 93
    assert Unit.objects.within(zhenxing).count() == 1 + 10 + 93
    assert check_tree() == []


def test_streets_communities_and_villages_are_told_apart(zhenxing):
    assert Unit.objects.get(code="210603002").kind == Kind.STREET  # 站前街道
    assert Unit.objects.filter(kind=Kind.COMMUNITY, code__regex=r"^\d{9}(0|1)\d\d$").count() == (
        Unit.objects.filter(kind=Kind.COMMUNITY).count()
    )
    assert all(int(code[9:]) >= 200 for code in Unit.objects.filter(kind=Kind.VILLAGE).values_list("code", flat=True))
    assert Unit.objects.filter(kind=Kind.COMMUNITY).first().form == "congress"


def test_a_second_run_changes_nothing(zhenxing):
    before = list(Unit.objects.values_list("id", "name", "lft", "rght", "tree_id", "version"))
    records = history_of(zhenxing, None).count()
    output = load(ZHENXING)
    assert "create 0, update 0, move 0, close 0" in output
    assert list(Unit.objects.values_list("id", "name", "lft", "rght", "tree_id", "version")) == before
    assert history_of(zhenxing, None).count() == records


def test_a_later_edition_renames_adds_moves_and_closes(zhenxing, tmp_path):
    rows = rows_of(ZHENXING)
    villages = [r for r in rows if r["level"] == "5"]
    renamed, removed, moved = villages[0], villages[1], villages[2]
    other_township = next(r for r in rows if r["level"] == "4" and r["code"] != moved["parent_code"])
    renamed["name"] = "更名后社区"
    rows.remove(removed)
    moved["parent_code"] = other_township["code"]
    rows.append(
        {"code": other_township["code"] + "399", "name": "新设村", "level": "5", "parent_code": other_township["code"]}
    )
    output = load(write(tmp_path / "2024.csv", rows))
    assert "create 1, update 1, move 1, close 1" in output
    assert Unit.objects.get(code=renamed["code"]).name == "更名后社区"
    assert Unit.objects.get(code=removed["code"]).closed_on is not None
    assert Unit.objects.get(code=moved["code"]).parent.code == other_township["code"]
    assert Unit.objects.get(code=other_township["code"] + "399").kind == Kind.VILLAGE
    assert check_tree() == []
    assert "create 0, update 0, move 0, close 0" in load(tmp_path / "2024.csv")
    county = Unit.objects.get(code="210603")
    assert coverage(county) == coverage(county, from_records=True)  # loaded rows carry their figures


def test_loaded_units_are_counted_on_the_dashboard(zhenxing):
    figures = coverage(zhenxing)
    assert (figures["villages_total"], figures["townships_total"]) == (93, 10)
    assert figures == coverage(zhenxing, from_records=True)


def test_a_missing_village_with_open_committees_stays_open(zhenxing, tmp_path):
    rows = rows_of(ZHENXING)
    removed = next(r for r in rows if r["level"] == "5")
    make(Unit.objects.get(code=removed["code"]), Kind.WOMEN_GROUP, "楼栋妇女小组")
    rows.remove(removed)
    output = load(write(tmp_path / "2024.csv", rows))
    assert "kept open" in output
    assert Unit.objects.get(code=removed["code"]).closed_on is None


def test_placeholders_are_skipped_and_children_reparented(db, tmp_path):
    rows = [
        {"code": "11", "name": "北京市", "level": "1", "parent_code": ""},
        {"code": "1101", "name": "市辖区", "level": "2", "parent_code": "11"},
        {"code": "110101", "name": "东城区", "level": "3", "parent_code": "1101"},
        {"code": "44", "name": "广东省", "level": "1", "parent_code": ""},
        {"code": "4419", "name": "东莞市", "level": "2", "parent_code": "44"},
        {"code": "441900", "name": "东莞市", "level": "3", "parent_code": "4419"},
        {"code": "441900003", "name": "东城街道", "level": "4", "parent_code": "441900"},
        {"code": "441900003001", "name": "花园社区", "level": "5", "parent_code": "441900003"},
    ]
    load(write(tmp_path / "p.csv", rows))
    assert not Unit.objects.filter(code__in=["1101", "441900"]).exists()
    assert Unit.objects.get(code="110101").parent.code == "11"
    street = Unit.objects.get(code="441900003")
    assert street.parent.code == "4419" and street.kind == Kind.STREET
    assert check_tree() == []


def test_xz_files_and_root_option(db, tmp_path):
    path = tmp_path / "zx.csv.xz"
    with lzma.open(path, "wt", encoding="utf-8") as handle:
        handle.write(ZHENXING.read_text(encoding="utf-8"))
    township = next(r for r in rows_of(ZHENXING) if r["level"] == "4")
    load(path, "--root", township["code"])
    assert Unit.objects.get(code=township["code"]).parent.code == "210603"
    assert Unit.objects.filter(kind=Kind.STREET).count() + Unit.objects.filter(kind=Kind.TOWNSHIP).count() == 1
    assert Unit.objects.filter(parent__code=township["code"]).count() == sum(
        1 for r in rows_of(ZHENXING) if r["parent_code"] == township["code"]
    )


def test_provinces_go_under_the_national_federation_when_there_is_one(db):
    national = make(None, Kind.NATIONAL, "全国妇联")
    load(ZHENXING)
    assert Unit.objects.get(code="21").parent == national
    assert Unit.objects.within(national).count() == Unit.objects.count()


def test_dry_run_changes_nothing(db):
    output = load(ZHENXING, "--dry-run")
    assert "create 104" in output or "create 10" in output
    assert Unit.objects.count() == 0


def test_an_unreadable_file_is_a_clear_error(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        load(tmp_path / "missing.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError):
        load(bad)
    assert Unit.objects.count() == 0


def test_load_demo_creates_the_readme_users(db):
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    call_command("load_demo", stdout=StringIO())
    sign_in = RequestFactory().post("/login/")  # django-axes counts sign-ins by request
    assert Unit.objects.filter(kind__in=[Kind.VILLAGE, Kind.COMMUNITY]).count() == 1943
    yanping = authenticate(sign_in, username="yanping", password="banyan-yanping")
    assert yanping is not None and yanping.scopes.get().unit.name == "延平区"
    assert authenticate(sign_in, username="admin", password="banyan-admin").is_superuser
    assert authenticate(sign_in, username="nanping", password="banyan-nanping").scopes.get().role == "viewer"
    # What she enters afterwards survives the next `make run`: the demo loads into an empty database only.
    township = Unit.objects.open().get(code="350702001")
    village = Unit.objects.open().filter(parent=township).order_by("code").first()
    added = services.create_unit(yanping, township, kind=village.kind, name="新建社区", code="350702001099")
    services.update_unit(yanping, village, {"name": "改名社区"})
    before = (
        Unit.objects.count(),
        Unit.objects.filter(closed_on__isnull=False).count(),
        ChangeRecord.objects.count(),
        Election.objects.count(),
    )
    output = StringIO()
    call_command("load_demo", stdout=output)
    assert "demo not loaded" in output.getvalue()
    assert Unit.objects.get(pk=added.pk).closed_on is None
    assert Unit.objects.get(pk=village.pk).name == "改名社区"
    assert (
        Unit.objects.count(),
        Unit.objects.filter(closed_on__isnull=False).count(),
        ChangeRecord.objects.count(),
        Election.objects.count(),
    ) == before


YUANBAO = [
    {"code": "210604", "name": "元宝区", "level": "3", "parent_code": "2106"},
    {"code": "210604001", "name": "六道口街道", "level": "4", "parent_code": "210604"},
    {"code": "210604001001", "name": "六道口社区", "level": "5", "parent_code": "210604001"},
]


def test_a_whole_county_missing_from_a_later_edition_closes_leaves_first(db, tmp_path):
    rows = rows_of(ZHENXING)
    load(write(tmp_path / "2023.csv", rows + YUANBAO), "--root", "2106")
    output = load(write(tmp_path / "2024.csv", rows), "--root", "2106")
    assert "close 3" in output
    assert Unit.objects.filter(code__startswith="210604", closed_on__isnull=False).count() == 3


def test_a_kept_open_unit_keeps_its_parents_open(db, tmp_path):
    rows = rows_of(ZHENXING)
    load(write(tmp_path / "2023.csv", rows + YUANBAO), "--root", "2106")
    make(Unit.objects.get(code="210604001001"), Kind.WOMEN_GROUP, "楼栋小组")
    output = load(write(tmp_path / "2024.csv", rows), "--root", "2106")
    assert output.count("kept open") == 3
    assert not Unit.objects.filter(code__startswith="210604", closed_on__isnull=False).exists()
