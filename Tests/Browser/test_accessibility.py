"""Accessibility: axe-core 4.x finds no serious or critical violations on public pages.

axe.min.js comes from the axe-playwright-python wheel (only the script is used, not
Playwright). It is injected with execute_script, which Chromium runs through the DevTools
protocol, so the app's CSP (script-src 'self') does not need to allow it.
"""

import pathlib
import sysconfig

import pytest

from conftest import GUIDE_BULLYING, GUIDE_PATH, ORG

FAILING_IMPACTS = ("serious", "critical")

RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
  .then(results => done(results.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.map(node => node.target.join(' '))}))))
  .catch(error => done({error: String(error)}));
"""


@pytest.fixture(scope="session")
def axe_source() -> str:
    # The file is read from the installed wheel without importing the package (it would import Playwright).
    return (pathlib.Path(sysconfig.get_paths()["purelib"]) / "axe_playwright_python" / "axe.min.js").read_text()


def axe_violations(driver, axe_source: str) -> list[dict]:
    driver.execute_script(axe_source)
    driver.set_script_timeout(60)
    result = driver.execute_async_script(RUN_AXE)
    assert not isinstance(result, dict), f"axe.run failed on {driver.current_url}: {result}"
    return result


def describe(violation: dict) -> str:
    targets = ", ".join(violation["targets"][:3])
    more = len(violation["targets"]) - 3
    return (f"{violation['id']} [{violation['impact']}] {violation['help']} -- "
            f"{targets}{f' (+{more} more)' if more > 0 else ''}")


# (name, path, data-page); path None: walk the guide to an outcome.
AXE_PAGES = [
    ("home", "/", "home"),
    ("portal", ORG, "organisation"),
    ("article", ORG + "/kennisbank/pesten", "kb-article"),
    ("search", ORG + "/zoeken?q=gepest", "search"),
    ("guide-question", GUIDE_PATH, "guide-question"),
    ("guide-outcome", None, "guide-outcome"),
    ("login", "/login", "login"),
    ("contact", ORG + "/contact", "contact"),
    ("report", ORG + "/melden", "report"),
    ("counsellors", ORG + "/vertrouwenspersonen", "counsellors"),
    ("journal-start", ORG + "/logboek", "journal-start"),
    ("inbox-login", ORG + "/inbox", "inbox-login"),
]


@pytest.mark.parametrize("name, path, page", AXE_PAGES, ids=[name for name, _, _ in AXE_PAGES])
def test_no_serious_axe_violations(make_driver, app, axe_source, capsys, name, path, page):
    driver = make_driver(1280, 900)
    if path is None:
        app.walk_guide(driver, GUIDE_BULLYING)
    else:
        app.open(driver, path, page)

    violations = axe_violations(driver, axe_source)
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    minor = [f"{v['id']} ({v['impact']}, {len(v['targets'])}x)"
             for v in violations if v["impact"] not in FAILING_IMPACTS]
    with capsys.disabled():  # shown in the test run's output, also when the test passes
        print(f" [axe {name}: {len(minor)} minor/moderate: {', '.join(minor) or 'none'}] ", end="")
    assert not failing, f"axe on {name} ({driver.current_url}):\n" + "\n".join(
        describe(v) for v in failing)
