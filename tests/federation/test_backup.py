"""Backup and restore on the engine under test: a restored backup has the same figures and files."""

import datetime
import io
import json
import shutil
import stat
import tarfile
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from federation import datacache
from federation.backup import DUMPS, media_files
from orgtree import services
from orgtree.choices import Form, Kind
from orgtree.conversion import Conversion, Member, record_conversion
from orgtree.coverage import coverage
from orgtree.models import Role, Unit

PDF = b"%PDF-1.4 evidence"


def convert(user, village, *names):
    record_conversion(
        user,
        village,
        Conversion(
            held_on=datetime.date(2021, 3, 15),
            entitled=100,
            present=90,
            members=[Member(names[0], role=Role.CHAIR), *[Member(n) for n in names[1:]]],
        ),
    )


def figures(tree):
    return {
        "units": Unit.objects.count(),
        "open": Unit.objects.open().count(),
        "city": coverage(tree.city),
        "county": coverage(tree.county_a),
        "names": sorted(Unit.objects.values_list("name", flat=True)),
    }


@pytest.mark.django_db(transaction=True)  # pg_dump and pg_restore work on committed data in their own sessions
def test_a_restored_backup_has_the_same_figures_and_files(tree, users, settings, tmp_path):
    if connection.vendor == "postgresql" and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore not installed (apt-get install postgresql-client)")
    settings.MEDIA_ROOT = tmp_path / "media"
    convert(users.editor_a, tree.village_a1, "林秀英", "陈美华", "王丽")
    evidence = settings.MEDIA_ROOT / "evidence" / "2025" / "报告.pdf"
    evidence.parent.mkdir(parents=True)
    evidence.write_bytes(PDF)
    before = figures(tree)
    assert before["city"]["villages_converted"] == 1 and before["city"]["executives"] == 3
    archive = tmp_path / "backups" / "banyan.tar"
    call_command("backup", "--output", str(archive), stdout=StringIO())
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # it holds people's personal data
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert {"manifest.json", DUMPS[connection.vendor], "media/evidence/2025/报告.pdf"} <= set(names)

    # Work goes on after the backup, then the data must be put back.
    convert(users.editor_a, tree.village_a2, "张芳", "李娜")
    services.create_unit(
        users.editor_a, tree.township_a, kind=Kind.COMMUNITY, name="新建社区", code="350702003003", form=Form.CONGRESS
    )
    services.update_unit(users.editor_a, tree.village_a3, {"name": "改名村"})
    services.close_unit(users.editor_b, tree.village_b1, datetime.date.today())
    evidence.write_bytes(b"overwritten")
    late = settings.MEDIA_ROOT / "later.pdf"
    late.write_bytes(PDF)
    assert figures(tree) != before

    settings.BANYAN = {**settings.BANYAN, "FIGURE_CACHE_SECONDS": 300}  # kept figures (federation.datacache)
    kept_under = datacache.generation()
    output = StringIO()
    call_command("restore", str(archive), "--noinput", stdout=output)
    assert "restored" in output.getvalue()
    assert figures(tree) == before
    assert datacache.generation() != kept_under, "nothing kept before the restore is read after it"
    assert Unit.objects.get(pk=tree.village_a3.pk).name == "上坪村"
    assert evidence.read_bytes() == PDF and not late.exists()
    assert media_files(settings.MEDIA_ROOT) == [evidence]


def test_restore_refuses_what_is_not_a_backup_of_this_database(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not an archive")
    with pytest.raises(CommandError, match="not a Banyan backup"):
        call_command("restore", str(junk), "--noinput")
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    foreign = tmp_path / "foreign.tar"
    with tarfile.open(foreign, "w") as tar:
        manifest = json.dumps({"format": 1, "engine": other}).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
    with pytest.raises(CommandError, match=f"backup is of a {other} database"):
        call_command("restore", str(foreign), "--noinput")
