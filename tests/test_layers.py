"""The layers hold: federation (the platform) names no app outside settings and the root URLconf,
orgtree (the domain core) never imports reform or funding, imports inside functions included."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = {"orgtree", "reform", "funding"}
FEDERATION_MAY_NAME_APPS = {"federation/settings.py", "federation/urls.py"}


def imports_of(path):
    """(line, top-level module) of every import in the file, module level or inside a function."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]


def offences(package, forbidden, allowed=()):
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name in allowed:
            continue
        found += [f"{name}:{line} imports {module}" for line, module in imports_of(path) if module in forbidden]
    return found


def test_imports_are_seen_inside_functions_too(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from reform.figures import LABELS\n    import funding.models\n")
    assert list(imports_of(source)) == [(2, "reform"), (3, "funding")]


def test_the_domain_core_never_imports_the_apps_built_on_it():
    assert offences("orgtree", {"reform", "funding"}) == []


def test_the_platform_names_the_apps_only_in_settings_and_the_root_urls():
    assert offences("federation", APPS, allowed=FEDERATION_MAY_NAME_APPS) == []
