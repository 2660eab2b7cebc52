"""A site taken out of the tree (its folder, its tests' folder, its Procfile lines: what the README's "Keeping only
what you need" says to remove) leaves the suite whole, in a copy of the tree: the format, lint and type checks
pass, every remaining test finds the modules and fixtures it needs, and ``make run``'s bring-up serves the
other sites and no longer the removed one.

The remaining tests are set up here, not run (``pytest --setup-plan``: every import and fixture resolved);
running them all once per site would take as long as the whole suite.  The bring-up runs without one site
(:data:`BROUGHT_UP`), as it runs the same way whichever is missing.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from conf.sites import SITES
from tests.support.bringup import EXAMPLES, SITE_NAMES, copied_suite
from tests.support.sites import present

pytestmark = pytest.mark.integration

PROGRAMS = {
    "listsurf": ("listsurf",),
    "readify": ("readify", "readify-api", "readify-fetcher-hub", "readify-fetcher"),
    "spotichat": ("spotichat",),
    "nojs": ("nojs",),
}
"""Each site's folder name and its lines in conf/Procfile."""


def remove_site(tree: Path, site: str) -> None:
    """What the README says to do: remove the site's folder, its tests' folder and its Procfile lines."""
    shutil.rmtree(tree / site)
    shutil.rmtree(tree / "tests" / site)
    procfile = tree / "conf" / "Procfile"
    kept = [line for line in procfile.read_text().splitlines(keepends=True) if line.split(":")[0] not in PROGRAMS[site]]
    procfile.write_text("".join(kept))


BROUGHT_UP = "readify"
"""The site whose removal is also brought up (its four Procfile programs make it the one with most to undo); the
bring-up does not depend on which site is missing, and each costs half a minute."""


@pytest.mark.parametrize("site", [site for site in PROGRAMS if present(site)])
def test_a_removed_site_leaves_the_checks_the_other_tests_and_the_bringup_whole(site: str, tmp_path: Path) -> None:
    example = next(example for example in EXAMPLES if example.program != site and present(example.program))
    with copied_suite(tmp_path, example) as suite:
        remove_site(suite.workdir, site)
        suite.check()
        plan = suite.run(sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--setup-plan", "-q")
        assert "tests/shared/" in plan and "tests/suite/" in plan and f"tests/{site}/" not in plan
        assert " error" not in plan.splitlines()[-1], plan[-2000:]
        if site != BROUGHT_UP and present(BROUGHT_UP):
            return

        suite.start(1)
        suite.wait_until_serving()
        landing = suite.get("/").text
        for title in SITE_NAMES:
            assert (f">{title}</a>" in landing) is (title != SITES[site].title), landing
        host = f"{SITES[site].host}:{suite.port}"  # no Mongrel2 host of its own any more: the landing page's
        assert "<h1>The Brubeck suite</h1>" in suite.get("/", host).text
        assert suite.get("/login", host).status_code == 404
        assert suite.stop() == 0, suite.log()
