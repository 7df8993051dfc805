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


def test_an_import_inside_a_function_says_why():
    """A project import inside a function hides a cycle from the reader: there are none, except in
    AppConfig.ready(), which runs before models may be imported and says so in a comment."""
    found = []
    for package in ("federation", *sorted(APPS)):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            lines = text.splitlines()
            for function in ast.walk(ast.parse(text)):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for node in ast.walk(function):
                    if isinstance(node, ast.Import | ast.ImportFrom) and (
                        getattr(node, "module", None) or node.names[0].name
                    ).split(".")[0] in {"federation", *APPS}:
                        said = any(line.strip().startswith("#") for line in lines[function.lineno : node.lineno - 1])
                        if not said:
                            found.append(f"{path.relative_to(ROOT).as_posix()}:{node.lineno}")
    assert found == []
