"""Fill new or changed messages from a {English: Chinese} JSON file, clear fuzzy flags and stale
'#|' comments, drop obsolete entries; then run tools/compile_messages.py. Prints what is missing.

    .venv/bin/python tools/translate_new.py translations.json
"""

import json
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main(path):
    chinese = json.loads(Path(path).read_text(encoding="utf-8")) if path else {}
    missing = []
    for language in ("zh_Hans", "en"):
        po = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
        for entry in list(po.obsolete_entries()):
            po.remove(entry)
        for entry in po:
            if language == "zh_Hans" and entry.msgid in chinese:  # given: always wins
                entry.msgstr = chinese[entry.msgid]
                entry.flags = [f for f in entry.flags if f != "fuzzy"]
            elif "fuzzy" in entry.flags or not entry.translated():
                if language == "en":
                    entry.msgstr = ""  # English is the source text
                    entry.flags = [f for f in entry.flags if f != "fuzzy"]
                else:
                    missing.append(entry.msgid)  # stays fuzzy (a guess by msgmerge) until given
            if "fuzzy" not in entry.flags:
                entry.previous_msgid = entry.previous_msgctxt = entry.previous_msgid_plural = None
        po.save()
    for msgid in missing:
        sys.stderr.write(f"missing: {msgid}\n")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ""))
