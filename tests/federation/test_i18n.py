"""The Chinese catalogue is complete and its compiled .mo matches the .po (CI has no gettext)."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOGUES = sorted(Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/django.po"))


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_compiled_catalogue_matches_its_source(po_path):
    source = {
        (e.msgid, e.msgstr or tuple(e.msgstr_plural.values()))
        for e in polib.pofile(str(po_path))
        if e.translated() and not e.obsolete
    }
    compiled = {
        (e.msgid, e.msgstr or tuple(e.msgstr_plural.values()))
        for e in polib.mofile(str(po_path.with_suffix(".mo")))
        if e.msgid
    }
    assert source == compiled, "run `make messages` after editing the .po"


def test_every_message_has_a_chinese_translation():
    po = polib.pofile(str(Path(settings.BASE_DIR, "locale/zh_Hans/LC_MESSAGES/django.po")))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_placeholders_survive_translation():
    import re

    po = polib.pofile(str(Path(settings.BASE_DIR, "locale/zh_Hans/LC_MESSAGES/django.po")))
    for entry in po.translated_entries():
        pattern = r"%\(\w+\)[sd]|\{\w+\}"
        translated = entry.msgstr or entry.msgstr_plural[0]
        assert sorted(re.findall(pattern, entry.msgid)) == sorted(re.findall(pattern, translated)), entry.msgid


def test_translations_keep_every_placeholder():
    import re

    po = polib.pofile(str(settings.BASE_DIR / "locale/zh_Hans/LC_MESSAGES/django.po"))
    pattern = re.compile(r"%\(\w+\)\w|\{\{ ?\w+ ?\}\}")
    wrong = [e.msgid for e in po if e.msgstr and sorted(pattern.findall(e.msgid)) != sorted(pattern.findall(e.msgstr))]
    assert wrong == []
