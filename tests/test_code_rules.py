"""Code rules checked by reading source: lookups via permissions, module docstrings."""

import ast
import re
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
APPS = [
    BASE_DIR / name
    for name in ("community", "workspaces", "search")
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


# --- permissions: one door ---------------------------------------------------------------


def _refusals_outside_permissions(tree):
    """(line, code) of every `raise PermissionDenied(...)` and `permissions.require(...)`:
    refusals and their messages belong to `permissions.require_<rule>`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            func = node.exc.func
            if getattr(func, "id", getattr(func, "attr", None)) == "PermissionDenied":
                yield node.lineno, ast.unparse(node)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "require"
            and getattr(node.func.value, "id", None) == "permissions"
        ):
            yield node.lineno, ast.unparse(node)


def test_refusals_are_written_only_in_permissions():
    offenders = [
        f"{path.relative_to(BASE_DIR)}:{line}: {code}"
        for path in _modules()
        if path.name != "permissions.py"
        for line, code in _refusals_outside_permissions(
            ast.parse(path.read_text(), str(path))
        )
    ]

    assert not offenders, (
        "Refuse through permissions.require_<rule>(user, obj), which carries the "
        "message views and services share:\n" + "\n".join(offenders)
    )


def test_the_refusal_rule_catches_the_patterns_it_is_meant_to():
    source = (
        "raise PermissionDenied(_('No.'))\n"
        "raise exceptions.PermissionDenied('No.')\n"
        "permissions.require(permissions.can_edit_post(user, post), _('No.'))\n"
        "permissions.require_edit_post(user, post)\n"
        "raise ValidationError('Fine.')\n"
    )

    assert [line for line, _ in _refusals_outside_permissions(ast.parse(source))] == [
        1,
        2,
        3,
    ]


# Who someone is on the site (staff, superuser) and how a role or a state of a
# membership turns into a right are decided in permissions.py only.
_DECIDING_PARTS = ("views", "queries", "services", "forms", "templatetags")
_STAFF_FLAGS = re.compile(r"\bis_(?:staff|superuser)\b")


def _part_of_app(path):
    """`views`, `services`, `forms`, `middleware`...: where `path` sits in its app."""
    app = next(app for app in APPS if path.is_relative_to(app))
    return path.relative_to(app).parts[0].removesuffix(".py")


def test_staff_flags_are_read_only_in_permissions():
    sources = [
        path
        for path in _modules()
        if _part_of_app(path) in _DECIDING_PARTS + ("context_processors", "middleware")
    ]
    sources += sorted((BASE_DIR / "templates").rglob("*.html"))
    offenders = [
        f"{path.relative_to(BASE_DIR)}:{number}: {line.strip()}"
        for path in sources
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if _STAFF_FLAGS.search(line)
    ]

    assert sources, "no views, services or templates found"
    assert not offenders, (
        "Ask permissions (is_site_staff, can_open_admin, can_*):\n"
        + "\n".join(offenders)
    )


def test_no_permission_cache_hangs_on_objects():
    """Decisions live in the request's or operation's scope (`permissions.operation`),
    never on a user object that may outlive it (a socket keeps its user for hours)."""
    offenders = [
        f"{path.relative_to(BASE_DIR)}:{number}: {line.strip()}"
        for path in _modules()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "__dict__" in line or "_crocevia_" in line
    ]

    assert not offenders, "\n".join(offenders)


# Templates show what permissions decided; they never combine roles and states into a
# right of their own (`participant and not workspace.is_archived`).
_DERIVED_PERMISSION = re.compile(
    r"{%\s*(?:el)?if\b[^%]*"
    r"(?:\b(?:and|or)\b[^%]*\b(?:participant|is_archived|role)\b"
    r"|\b(?:participant|is_archived|role)\b[^%]*\b(?:and|or)\b)"
)


def test_workspace_templates_never_derive_a_permission():
    sources = sorted((BASE_DIR / "templates" / "workspaces").rglob("*.html"))
    offenders = [
        f"{path.relative_to(BASE_DIR)}:{number}: {line.strip()}"
        for path in sources
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if _DERIVED_PERMISSION.search(line)
    ]

    assert sources, "no workspace templates found"
    assert not offenders, (
        "Pass a flag from workspaces/permissions.py (can_*):\n" + "\n".join(offenders)
    )


def test_the_derived_permission_rule_catches_the_patterns_it_is_meant_to():
    lines = [
        "{% elif participant and not workspace.is_archived %}",
        "{% if is_last_lead and not workspace.is_archived %}",
        "{% if person.role == 'lead' or can_manage %}",
        "{% if workspace.is_archived %}",
        "{% if can_discuss %}",
    ]

    assert [bool(_DERIVED_PERMISSION.search(line)) for line in lines] == [
        True,
        True,
        True,
        False,
        False,
    ]


def test_the_readme_and_docs_link_only_to_files_of_the_repository():
    """Links to files (not to web pages) resolve inside the clone: the architecture
    notes live in docs/, not in a folder beside it."""
    documents = [BASE_DIR / "README.md", *sorted((BASE_DIR / "docs").rglob("*.md"))]
    broken = []
    for document in documents:
        for target in re.findall(r"\]\(([^)\s#]+)", document.read_text()):
            if "://" in target or target.startswith("mailto:"):
                continue
            path = (document.parent / target).resolve()
            if not path.is_relative_to(BASE_DIR) or not path.exists():
                broken.append(f"{document.relative_to(BASE_DIR)}: {target}")
    assert not broken
