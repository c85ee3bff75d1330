"""Dependencies point one way (DESIGN.md): core <- cms <- accounts <- payments, certificates
<- training, events. Each app's own modules (not its tests, not migrations already written)
are parsed, and every import, including those inside functions, is checked against the apps
it must not reach; so are model references written as strings ("events.Registration")."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

MUST_NOT_IMPORT = {
    "core": {
        "cms",
        "accounts",
        "newsletters",
        "payments",
        "certificates",
        "training",
        "events",
        "voices",
        "toolkit",
        "fundraising",
    },
    "cms": {
        "accounts",
        "newsletters",
        "payments",
        "certificates",
        "training",
        "events",
        "voices",
        "toolkit",
        "fundraising",
    },
    "accounts": {"newsletters", "payments", "certificates", "training", "events", "voices", "toolkit", "fundraising"},
    "payments": {"training", "events", "certificates", "voices", "toolkit", "fundraising"},
    "certificates": {"training", "events", "payments", "voices", "toolkit", "fundraising"},
    # newsletters sits on accounts: payments, events and the apps above may offer its "keep me posted" box.
    "newsletters": {"payments", "certificates", "training", "events", "voices", "toolkit", "fundraising"},
    # Peers do not import each other: what both need lives in core.
    "training": {"events", "voices", "toolkit", "fundraising"},
    "events": {"training", "voices", "toolkit", "fundraising"},
    # The top: voices, toolkit and fundraising are peers.
    "voices": {"toolkit", "fundraising"},
    "toolkit": {"voices", "fundraising"},
    # Supporter fundraising (issue 20) sits at the top too: it may use payments, newsletters
    # and below, never voices, toolkit or the volunteering app.
    "fundraising": {"voices", "toolkit", "volunteers"},
}
# Volunteering (issue 20) sits at the top, a peer of voices and toolkit: nothing imports it.
for _app in MUST_NOT_IMPORT:
    MUST_NOT_IMPORT[_app] = MUST_NOT_IMPORT[_app] | {"volunteers"}
MUST_NOT_IMPORT["volunteers"] = {"voices", "toolkit", "fundraising"}

# Known breaks, each to be removed when fixed (a test below fails once one no longer exists).
KNOWN_BREAKS: set[tuple[str, str]] = set()


def _own_modules(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path


def _references(tree: ast.AST, banned: set[str]):
    """(line, what) for each import of a banned app and each "app.Model" string naming one."""
    model_label = re.compile(rf"^({'|'.join(sorted(banned))})\.[A-Z]\w*$")
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and model_label.match(node.value):
            names = [node.value]
        else:
            continue
        for name in names:
            if name.split(".")[0] in banned:
                yield node.lineno, name


def _breaks() -> set[tuple[str, str, int]]:
    found = set()
    for app, banned in MUST_NOT_IMPORT.items():
        for path in _own_modules(app):
            for line, name in _references(ast.parse(path.read_text(), filename=str(path)), banned):
                found.add((str(path.relative_to(ROOT)), name, line))
    return found


def test_no_app_imports_an_app_above_it_in_the_design_layers():
    unexpected = sorted((path, name, line) for path, name, line in _breaks() if (path, name) not in KNOWN_BREAKS)
    assert unexpected == [], "imports against DESIGN.md's layers (file, import, line): " + repr(unexpected)


def test_each_known_layering_break_still_exists_so_the_list_only_shrinks():
    present = {(path, name) for path, name, _line in _breaks()}
    assert present >= KNOWN_BREAKS, f"fixed, remove from KNOWN_BREAKS: {sorted(KNOWN_BREAKS - present)}"


def test_the_check_sees_an_import_inside_a_function_and_a_model_named_as_a_string():
    source = 'def f():\n    from events.models import Registration\nFK = "events.Registration"\nimport core\n'
    assert sorted(_references(ast.parse(source), {"events"})) == [(2, "events.models"), (3, "events.Registration")]
