"""The layers hold: federation (the platform) names no app outside settings and the root URLconf,
orgtree (the domain core) never imports the apps built on it, nor they one another (imports inside
functions included)."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = {"orgtree", "reform", "funding", "executives", "register"}
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
    assert offences("orgtree", APPS - {"orgtree"}) == []


def test_the_apps_never_import_one_another():
    """reform, funding, executives and register each build on orgtree and federation, and plug in through the
    registries; none imports another."""
    for app in APPS - {"orgtree"}:
        assert offences(app, APPS - {"orgtree", app}) == []


def test_the_platform_names_the_apps_only_in_settings_and_the_root_urls():
    assert offences("federation", APPS, allowed=FEDERATION_MAY_NAME_APPS) == []


APP = "|".join(sorted(APPS))
NAMES_AN_APP = re.compile(rf"^({APP})$|\b({APP})[.:/]")


def app_names_in_strings(path):
    """(line, literal) of every string naming an app as a module path, URL name or template path
    ("orgtree.models", "orgtree:unit_list", "orgtree/unit_form.html"); docstrings are prose."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        string = isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
        if string and NAMES_AN_APP.search(node.value):
            yield node.lineno, node.value


def test_app_names_in_strings_are_seen(tmp_path):
    source = tmp_path / "m.py"
    source.write_text(
        '"""Prose may say orgtree.rollups."""\n'
        'a = ["orgtree", "reform.models.Problem", "funding:overview", "orgtree/unit_form.html"]\n'
        'b = ["funding documents", "reformed", "home"]\n'
    )
    assert [name for _line, name in app_names_in_strings(source)] == [
        "orgtree",
        "reform.models.Problem",
        "funding:overview",
        "orgtree/unit_form.html",
    ]


def test_the_platform_names_no_app_in_its_strings_outside_settings_and_the_root_urls():
    """No module path, URL name or template path of an app in federation's code: the home page's
    fallback is settings.HOME_URL_NAME, the service form's template the generic service_form.html."""
    found = []
    for path in sorted((ROOT / "federation").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if "migrations" in path.parts or path.name.startswith("settings") or name == "federation/urls.py":
            continue
        found += [f"{name}:{line} {value!r}" for line, value in app_names_in_strings(path)]
    assert found == []


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
