"""Read deploy/'s systemd units and environment file the way systemd does, so the two-host test
starts each process exactly as an app host would: the unit's ExecStart, WorkingDirectory,
Environment= and EnvironmentFile= (which overrides Environment=, as systemd.exec(5) says), in a
clean environment (systemd gives a service PATH and little else, never the caller's variables).

Only what deploy/'s units use is understood; anything else in [Service] that changes how the
process is started (User=, the sandboxing) is what the test cannot do without root and systemd,
and is listed by `Unit.not_applied` so the test says so rather than pretending.
"""

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

# Where the units expect the code and the environment file; the test reads the first as the
# repository and the second as the file it fills in.
INSTALL_DIR = "/srv/thrive"
ENV_FILE = "/etc/thrive/thrive.env"
# Keys of [Service] that decide what runs and with what: applied by the test.
APPLIED = {"ExecStart", "WorkingDirectory", "Environment", "EnvironmentFile"}
# Keys about supervision and sandboxing, which need systemd itself.
SUPERVISION = {
    "Type",
    "User",
    "Group",
    "ExecReload",
    "KillMode",
    "KillSignal",
    "TimeoutStopSec",
    "Restart",
    "RestartSec",
    "MemoryMax",
    "StateDirectory",
    "NoNewPrivileges",
    "PrivateTmp",
    "ProtectSystem",
    "ProtectHome",
}
BASE_ENVIRONMENT_KEYS = ("PATH", "LANG", "LC_ALL", "TZ", "HOME", "TMPDIR")
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
ASSIGNMENT = re.compile(r"^(#)?\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$")


def parse_environment_file(text: str) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile= reads them: comments and blank lines
    skipped, one pair of surrounding quotes removed."""
    values = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        key, separator, value = line.partition("=")
        if not separator:
            raise ValueError(f"not KEY=VALUE: {raw!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def template_variables(text: str) -> dict[str, tuple[str, bool]]:
    """Every variable an environment file template names: {name: (value, commented out)}."""
    found = {}
    for line in text.splitlines():
        match = ASSIGNMENT.match(line.strip())
        if match:
            found[match.group(2)] = (match.group(3), bool(match.group(1)))
    return found


def required_variables(text: str) -> list[str]:
    """The variables of the template's "Required" section (between its heading and the next)."""
    names, inside = [], False
    for line in text.splitlines():
        if line.startswith("# ---"):
            inside = line.startswith("# --- Required")
            continue
        match = ASSIGNMENT.match(line.strip())
        if inside and match and not match.group(1):
            names.append(match.group(2))
    return names


def fill_environment_template(text: str, values: dict[str, str]) -> str:
    """The template with `values` written in: a listed variable (commented out or not) gets its
    value; a value with spaces is quoted. Raises when a value names a variable the template does
    not list, or when a required variable is left empty: the template must be enough to deploy."""
    listed = template_variables(text)
    unknown = sorted(set(values) - set(listed))
    if unknown:
        raise ValueError(f"not in the environment template: {', '.join(unknown)}")
    lines = []
    for line in text.splitlines():
        match = ASSIGNMENT.match(line.strip())
        if match and match.group(2) in values:
            value = values[match.group(2)]
            if any(char in value for char in "$`\"'\\\n"):
                raise ValueError(f"{match.group(2)}: a value the file cannot hold as it is")
            line = f'{match.group(2)}="{value}"' if " " in value else f"{match.group(2)}={value}"
        lines.append(line)
    filled = "\n".join(lines) + "\n"
    empty = [name for name in required_variables(text) if not parse_environment_file(filled).get(name)]
    if empty:
        raise ValueError(f"required and left empty: {', '.join(empty)}")
    return filled


@dataclass
class Unit:
    path: Path
    service: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> "Unit":
        unit, section = cls(path), None
        for raw in path.read_text().splitlines():
            line = raw.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if line.startswith("["):
                section = line.strip("[]")
                continue
            if line.endswith("\\"):
                raise ValueError(f"{path.name}: continued lines are not read by the test; keep one line")
            key, _, value = line.partition("=")
            if section == "Service":
                unit.service.setdefault(key.strip(), []).append(value.strip())
        return unit

    def one(self, key: str) -> str:
        values = self.service.get(key, [])
        if len(values) != 1:
            raise ValueError(f"{self.path.name}: expected one {key}=, found {len(values)}")
        return values[0]

    @property
    def not_applied(self) -> list[str]:
        """[Service] settings the test leaves to systemd (supervision, sandboxing)."""
        unknown = set(self.service) - APPLIED - SUPERVISION
        if unknown:
            raise ValueError(f"{self.path.name}: the test does not know what {sorted(unknown)} do")
        return sorted(set(self.service) & SUPERVISION)

    def command(self, *, root: Path, venv_bin: Path, env_file: Path, base_env: dict[str, str]):
        """(argv, environment, working directory) of ExecStart, as systemd would start it, with
        INSTALL_DIR read as `root` (its .venv/bin as `venv_bin`) and ENV_FILE as `env_file`."""
        environment = {key: base_env[key] for key in BASE_ENVIRONMENT_KEYS if key in base_env}
        for assignment in self.service.get("Environment", []):
            for word in shlex.split(assignment):
                key, _, value = word.partition("=")
                environment[key] = value
        for name in self.service.get("EnvironmentFile", []):
            optional = name.startswith("-")
            name = name.lstrip("-")
            if name != ENV_FILE:
                raise ValueError(f"{self.path.name}: EnvironmentFile={name}, the test fills only {ENV_FILE}")
            if env_file.exists() or not optional:
                environment |= parse_environment_file(env_file.read_text())

        def local(word: str) -> str:
            word = word.replace(f"{INSTALL_DIR}/.venv/bin", str(venv_bin))
            return word.replace(INSTALL_DIR, str(root))

        def expand(word: str) -> str:
            # ${NAME} is one word, expanded from the unit's environment (systemd.service(5)).
            return VARIABLE.sub(lambda match: environment[match.group(1)], word)

        argv = [expand(local(word)) for word in shlex.split(self.one("ExecStart"))]
        if argv[0].startswith(("-", "@", "+", "!", ":")):
            raise ValueError(f"{self.path.name}: ExecStart prefixes are not read by the test")
        return argv, environment, Path(local(self.one("WorkingDirectory")))
