"""``python -m conf.new_site NAME``: a new site made in a copy of the tree passes the checks and its own tests,
and the suite brought up there serves it; a bad, taken or repeated name is refused and changes nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conf.new_site import Refused, make_site
from conf.settings import ROOT
from tests.support.bringup import copied_suite
from tests.support.clients import SiteClient
from tests.support.pages import PASSWORD

REGISTRY = ("conf/sites.py", "conf/Procfile", "pyproject.toml")
"""The files a new site is registered in."""


def test_a_new_site_passes_the_checks_and_its_tests_and_is_served_by_the_suite(tmp_path: Path) -> None:
    with copied_suite(tmp_path) as suite:
        made = suite.run(sys.executable, "-m", "conf.new_site", "recipes")
        assert "Made the site recipes" in made and "http://recipes.localhost:6767/" in made
        suite.check()
        tested = suite.run(sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "tests/recipes")
        assert "5 passed" in tested, tested

        suite.start(1)
        suite.wait_until_serving()
        assert ">Recipes</a>" in suite.get("/").text  # on the landing page
        host = f"recipes.localhost:{suite.port}"
        assert suite.get("/static/site.css", host).status_code == 200
        writer = SiteClient(f"http://127.0.0.1:{suite.port}")
        writer.headers["Host"] = host
        assert writer.sign_up("writer", PASSWORD).headers["Location"] == "/"
        assert writer.post_form("/", {"title": "Soup", "text": "Water, then stones."}).status_code == 303
        assert "Water, then stones." in writer.get("/").text
        key = writer.new_token()
        entries = writer.get("/api/entries", headers={"Authorization": f"Token {key}"}).json()
        assert [entry["title"] for entry in entries["items"]] == ["Soup"]
        assert suite.stop() == 0, suite.log()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """The files a new site is registered in, copied: a tree to make sites in."""
    for name in REGISTRY:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "tests").mkdir()
    return tmp_path


def snapshot(tree: Path) -> dict[str, str]:
    return {str(path.relative_to(tree)): path.read_text() for path in sorted(tree.rglob("*")) if path.is_file()}


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("Recipes", "lower-case letters and digits"),
        ("my-recipes", "lower-case letters and digits"),
        ("9lives", "starting with a letter"),
        ("x", "2 to 30"),
        ("class", "reserved"),
        ("shared", "reserved"),
        ("login", "reserved"),
        ("readify", "a site called 'readify' already"),
        ("json", "installed Python module"),
    ],
)
def test_a_bad_or_taken_name_is_refused_and_changes_nothing(tree: Path, name: str, why: str) -> None:
    before = snapshot(tree)
    with pytest.raises(Refused, match=why):
        make_site(name, tree)
    assert snapshot(tree) == before


def test_a_second_run_is_refused_and_changes_nothing(tree: Path) -> None:
    made = make_site("recipes", tree)
    assert {str(path.relative_to(tree)) for path in made} == {"recipes", "tests/recipes", *REGISTRY}
    assert "recipes: ${python} -m recipes\nlanding:" in (tree / "conf" / "Procfile").read_text()
    before = snapshot(tree)
    with pytest.raises(Refused, match="recipes exists already"):
        make_site("recipes", tree)
    assert snapshot(tree) == before


def test_the_command_says_why_it_refuses_and_how_to_call_it() -> None:
    refused = subprocess.run(
        [sys.executable, "-m", "conf.new_site", "Bad Name"], cwd=ROOT, capture_output=True, text=True
    )
    assert refused.returncode == 1
    assert "cannot name a site" in refused.stderr and "Nothing was changed." in refused.stderr
    usage = subprocess.run([sys.executable, "-m", "conf.new_site"], cwd=ROOT, capture_output=True, text=True)
    assert usage.returncode == 2 and "make site NAME=" in usage.stderr
