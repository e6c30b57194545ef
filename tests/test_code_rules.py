"""Code rules checked by reading source: lookups via permissions, module docstrings."""

import ast
import re
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
APPS = [
    BASE_DIR / name
    for name in ("community", "workspaces")
    if (BASE_DIR / name).is_dir()
]


def _modules(*, lookups_allowed=False):
    """Python files of the apps, without migrations (and without the lookup modules)."""
    for app in APPS:
        for path in sorted(app.rglob("*.py")):
            parts = path.relative_to(app).parts
            if "migrations" in parts:
                continue
            if lookups_allowed and (
                parts[0] in {"permissions.py", "queries.py", "queries"}
            ):
                continue
            yield path


def _direct_lookups(tree):
    """(line, code) of every `<Model>.objects.get(...)` and `get_object_or_404(...)`."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        is_objects_get = (
            isinstance(func, ast.Attribute)
            and func.attr == "get"
            and isinstance(func.value, ast.Attribute)
            and func.value.attr == "objects"
        )
        is_get_or_404 = (
            isinstance(func, ast.Name) and func.id == "get_object_or_404"
        ) or (isinstance(func, ast.Attribute) and func.attr == "get_object_or_404")
        if is_objects_get or is_get_or_404:
            yield node.lineno, ast.unparse(node)


def test_objects_are_looked_up_only_in_permissions_and_queries():
    offenders = [
        f"{path.relative_to(BASE_DIR)}:{line}: {code}"
        for path in _modules(lookups_allowed=True)
        for line, code in _direct_lookups(ast.parse(path.read_text(), str(path)))
    ]

    assert not offenders, (
        "Look objects up through permissions.access_* or a queries function "
        "(missing and invisible must both answer 404):\n" + "\n".join(offenders)
    )


def test_the_lookup_rule_catches_the_patterns_it_is_meant_to():
    source = (
        "thread = Thread.objects.get(pk=request.GET['id'])\n"
        "post = get_object_or_404(Post, pk=pk)\n"
        "post = shortcuts.get_object_or_404(Post, pk=pk)\n"
        "fine = Thread.objects.filter(pk=1).first()\n"
        "also_fine = request.GET.get('id')\n"
    )

    assert [line for line, _ in _direct_lookups(ast.parse(source))] == [1, 2, 3]


@pytest.mark.parametrize(
    "path",
    [pytest.param(path, id=str(path.relative_to(BASE_DIR))) for path in _modules()],
)
def test_every_module_starts_with_a_docstring(path):
    source = path.read_text()
    if path.name == "__init__.py" and not source.strip():
        return  # an empty package marker has nothing to describe
    docstring = ast.get_docstring(ast.parse(source, str(path)))

    assert docstring, f"{path.relative_to(BASE_DIR)} has no module docstring"
    assert docstring.splitlines()[0].strip(), "the first line says what the module does"


def test_readme_lists_every_environment_variable_the_settings_read():
    settings_source = (BASE_DIR / "config" / "settings.py").read_text()
    names = set(
        re.findall(
            r"(?:os\.environ\.get|os\.environ|env_bool|env_list|env_int)"
            r"[\(\[]\s*[\"']([A-Z][A-Z0-9_]*)[\"']",
            settings_source,
        )
    )
    readme = (BASE_DIR / "README.md").read_text()

    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= names
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert not missing, f"README.md does not document: {', '.join(missing)}"
