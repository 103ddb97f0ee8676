"""Check the answers before anything is generated; exit 1 with a clear message if wrong.

The answers arrive as JSON, so any text (quotes included) reads back unchanged.
"""

import json
import keyword
import re
import sys

KEYS = (
    "project_name",
    "project_slug",
    "package_name",
    "magic_name",
    "cell_magic_name",
    "group_class",
    "registration",
    "extension_name",
    "version",
)
# Cookiecutter renders this file with Jinja first: the context arrives as a JSON string.
CONTEXT = json.loads(r"""{{ cookiecutter | tojson }}""")
ANSWERS = {key: str(CONTEXT.get(key, "")) for key in KEYS}
REGISTRATIONS = ("entry_points", "extension", "both")
# PEP 508 distribution names
DIST_NAME = re.compile(r"^([a-z0-9]|[a-z0-9][a-z0-9._-]*[a-z0-9])$", re.I)
VERSION = re.compile(r"^[0-9]+(\.[0-9]+)*[0-9a-z.+!-]*$", re.I)  # PEP 440, loosely


def identifier_problem(value):
    if not value.isidentifier() or not value.isascii():
        return "is not a Python identifier (ASCII letters, digits, '_'; not starting with a digit)"
    if keyword.iskeyword(value):
        return "is a Python keyword"
    return None


def problems(answers):
    found = []
    name = answers["project_name"]
    if not DIST_NAME.match(answers["project_slug"]):
        found.append(
            f"project_name {name!r} gives the distribution name {answers['project_slug']!r}, "
            "which is not a valid one: use letters, digits, '-', '_' and '.'"
        )
    for key in ("package_name", "magic_name", "cell_magic_name", "group_class"):
        problem = identifier_problem(answers[key])
        if key == "group_class" and identifier_problem(answers["package_name"]):
            continue  # derived from the package name: its message says it all
        if problem:
            origin = f" (from project_name {name!r})" if key == "package_name" else ""
            found.append(f"{key} {answers[key]!r}{origin} {problem}")
    if not VERSION.match(answers["version"]):
        found.append(f"version {answers['version']!r} is not a version number like 0.1.0")
    if answers["package_name"] == "anymagic":
        found.append("package_name 'anymagic' would shadow anymagic itself")
    if answers["magic_name"] == answers["cell_magic_name"]:
        found.append("magic_name and cell_magic_name must differ")
    if answers["registration"] not in REGISTRATIONS:
        found.append(
            f"registration {answers['registration']!r} is not one of {', '.join(REGISTRATIONS)}"
        )
    if answers["registration"] != "entry_points":
        parts = answers["extension_name"].split(".")
        if not all(identifier_problem(part) is None for part in parts):
            found.append(
                f"extension_name {answers['extension_name']!r} is not a dotted Python name"
            )
    return found


def main():
    found = problems(ANSWERS)
    if found:
        print("ERROR: cannot generate the project:", file=sys.stderr)
        for problem in found:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
