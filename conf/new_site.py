"""``python -m conf.new_site NAME`` (``make site NAME=...``): a new site of the suite, working and registered.

It makes ``NAME/`` (the site: app, handlers, a record in the store, templates, a stylesheet) and
``tests/NAME/`` (its tests) from conf/site_template/, then registers the site: its entry in conf/sites.py
(the host ``NAME.localhost``, its handler ports, its line on the landing page), its line in conf/Procfile,
and its package in pyproject.toml.  ``make run`` then serves it with nothing else to edit.

A name that is not usable, or taken, is refused with a message, and nothing is changed.
"""

from __future__ import annotations

import importlib.util
import keyword
import re
import shutil
import sys
import tempfile
from pathlib import Path
from string import Template

from shared.users import RESERVED_USERNAMES

from .settings import ROOT
from .sites import SERVICES, SITES

TEMPLATE = Path(__file__).resolve().parent / "site_template"
NAME = re.compile(r"[a-z][a-z0-9]{1,29}")
RESERVED = frozenset({"brubeck", "shared", "conf", "tests", "bench", "demos", "run", "var", "tmp", "site", "test"})
"""Names of the suite's own folders, and of modules a site must not shadow."""


class Refused(Exception):
    """The name cannot be used; the message says why and what to do."""


def check_name(name: str, root: Path = ROOT) -> None:
    """Refuse (:class:`Refused`) a name that is not a valid site name, or is taken."""
    if not NAME.fullmatch(name):
        raise Refused(
            f"{name!r} cannot name a site: use 2 to 30 lower-case letters and digits, starting with a letter"
            " (it is the Python package, the host name NAME.localhost and the Procfile program)."
        )
    if keyword.iskeyword(name) or name in RESERVED or name in RESERVED_USERNAMES:
        raise Refused(f"{name!r} is reserved in the suite: choose another name.")
    if name in SITES or name in SERVICES or any(n.startswith(f"{name}-") for n in (*SITES, *SERVICES)):
        raise Refused(f"There is a site called {name!r} already (conf/sites.py): choose another name.")
    for taken in (root / name, root / "tests" / name):
        if taken.exists():
            raise Refused(f"{taken.relative_to(root)} exists already: choose another name, or remove it first.")
    if importlib.util.find_spec(name) is not None:
        raise Refused(f"{name!r} is the name of an installed Python module, which the site would hide.")


def render_tree(source: Path, target: Path, values: dict[str, str]) -> None:
    """Copy ``source`` to ``target``, each ``*.tmpl`` file filled in with ``values`` and its suffix dropped."""
    for path in sorted(source.rglob("*.tmpl")):
        destination = target / path.relative_to(source).with_suffix("")
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(Template(path.read_text()).substitute(values))


def registered(root: Path, name: str, title: str) -> dict[Path, str]:
    """conf/sites.py, conf/Procfile and pyproject.toml with the site in them (path to new text)."""
    sites_file, procfile, pyproject = root / "conf" / "sites.py", root / "conf" / "Procfile", root / "pyproject.toml"
    sites = sites_file.read_text()
    end = sites.index("\n}\n", sites.index("SITES = {"))  # the dict's closing brace, at the start of a line
    fields = (f"{name}.localhost", f"{name}/static/", title, f"{title}: your own site, made from the template.")
    entry = f'\n    "{name}": SiteEntry(\n' + "".join(f'        "{field}",\n' for field in fields) + "    ),"
    lines = procfile.read_text().splitlines(keepends=True)
    landing = next(i for i, line in enumerate(lines) if line.startswith("landing:"))
    lines.insert(landing, f"{name}: ${{python}} -m {name}\n")
    project = pyproject.read_text()
    project = re.sub(r'(include = \[[^\]]*?)"conf\*"\]', rf'\1"{name}*", "conf*"]', project, count=1)
    project = project.replace("\n\n[tool.ruff]", f'\n{name} = ["templates/*.html", "static/*"]\n\n[tool.ruff]', 1)
    project = re.sub(r'(known-first-party = \[[^\]]*?)"demos"', rf'\1"{name}", "demos"', project, count=1)
    return {sites_file: sites[:end] + entry + sites[end:], procfile: "".join(lines), pyproject: project}


def make_site(name: str, root: Path = ROOT) -> list[Path]:
    """Make and register the site ``name`` in the tree at ``root``; the files made or changed."""
    check_name(name, root)
    title = name.capitalize()
    values = {"name": name, "title": title}
    changes = registered(root, name, title)  # read before anything is written: a failure here changes nothing
    with tempfile.TemporaryDirectory(dir=root) as draft:
        render_tree(TEMPLATE / "site", Path(draft) / "site", values)
        render_tree(TEMPLATE / "tests", Path(draft) / "tests", values)
        shutil.move(Path(draft) / "site", root / name)
        shutil.move(Path(draft) / "tests", root / "tests" / name)
    for path, text in changes.items():
        path.write_text(text)
    return [root / name, root / "tests" / name, *changes]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m conf.new_site NAME   (or: make site NAME=...)", file=sys.stderr)
        return 2
    try:
        made = make_site(argv[0])
    except Refused as refused:
        print(f"{refused} Nothing was changed.", file=sys.stderr)
        return 1
    name = argv[0]
    print(f"Made the site {name}:")
    for path in made:
        print(f"  {path.relative_to(ROOT)}")
    print(
        f"\n`make run` serves it at http://{name}.localhost:6767/ and `make test` runs its tests (tests/{name}/)."
        f'\nStart with {name}/app.py (its routes) and {name}/handlers.py; README.md, "Your own site", walks through.'
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
