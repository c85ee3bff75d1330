"""Every cross-app hook is one of core/hooks.py's constants (where its contract is written)."""

import ast
from pathlib import Path

from core import hooks as contracts

ROOT = Path(__file__).resolve().parents[2]
APPS = ("core", "cms", "accounts", "payments", "certificates", "training", "events", "config", "taskworker")
CONSTANTS = {name: value for name, value in vars(contracts).items() if name.isupper() and isinstance(value, str)}

# Hooks another change is deleting: they are not contracts to document. Remove each once it is
# gone (a test below says when). (The checkout hooks went: events calls payments' checkout directly.)
BEING_DELETED: set[str] = set()
BEING_DELETED_CONSTANTS: dict[str, str] = {}
NAMES = CONSTANTS | BEING_DELETED_CONSTANTS


def _python_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _hook_names(tree: ast.AST):
    """(line, name, written_as_literal) for each `hooks.register(...)`, `hooks.get_hooks(...)`
    and `checks.register(...)` whose first argument is a string or a name."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args):
            continue
        owner = node.func.value
        if not (isinstance(owner, ast.Name) and owner.id in {"hooks", "checks"}):
            continue
        if node.func.attr not in {"register", "get_hooks"}:
            continue
        first = node.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            yield node.lineno, first.value, True
        elif isinstance(first, ast.Name):
            yield node.lineno, NAMES.get(first.id, f"<unknown name {first.id}>"), False
        elif isinstance(first, ast.Attribute):
            yield node.lineno, NAMES.get(first.attr, f"<unknown name {first.attr}>"), False


def _uses():
    for path in _python_files():
        for line, name, literal in _hook_names(ast.parse(path.read_text(), filename=str(path))):
            yield str(path.relative_to(ROOT)), line, name, literal


def test_every_thrive_hook_registered_or_called_is_a_constant_of_core_hooks():
    known = set(CONSTANTS.values())
    unknown = [
        (path, line, name)
        for path, line, name, _literal in _uses()
        if (name.startswith("thrive_") or name.startswith("<unknown")) and name not in known | BEING_DELETED
    ]
    assert unknown == [], "hook names not in core/hooks.py (file, line, name): " + repr(unknown)


def test_app_code_names_a_thrive_hook_by_its_constant_not_a_string():
    literals = [
        (path, line, name)
        for path, line, name, literal in _uses()
        if literal and name.startswith("thrive_") and "tests" not in Path(path).parts and name not in BEING_DELETED
    ]
    assert literals == [], "use the constant from core/hooks.py (file, line, name): " + repr(literals)


def test_each_hook_being_deleted_still_exists_so_the_list_only_shrinks():
    present = {name for _path, _line, name, _literal in _uses()}
    assert present >= BEING_DELETED, f"gone, remove from BEING_DELETED: {sorted(BEING_DELETED - present)}"


def test_every_hook_constant_is_documented_and_used():
    used = {name for _path, _line, name, _literal in _uses()}
    for constant, value in CONSTANTS.items():
        if constant == "EXPORTS_SAFE_MARKER":  # an attribute name, not a hook
            continue
        assert constant in contracts.__doc__ and value in contracts.__doc__, constant
        assert value in used, f"{constant} is neither registered nor called anywhere"


def test_the_check_sees_literals_and_constants():
    source = (
        "@hooks.register('thrive_x')\ndef f(): ...\nhooks.get_hooks(SEED_DEMO_HOOK)\nhooks.register('insert_css')\n"
    )
    assert sorted(_hook_names(ast.parse(source))) == [
        (1, "thrive_x", True),
        (3, "thrive_seed_demo", False),
        (4, "insert_css", True),
    ]
