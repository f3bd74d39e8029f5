"""Fixtures for Vertrouwd's browser tests (pytest + Selenium + headless Chromium).

Run through scripts/browser-tests.sh, which starts `vertrouwd demo` and a neutral
quick-exit page and sets these environment variables:

  VERTROUWD_BASE_URL         the app, default http://127.0.0.1:8089
  VERTROUWD_QUICK_EXIT_URL   the neutral page, default http://127.0.0.1:8090/neutral.html
  VERTROUWD_SERVER_LOG       file holding the demo server's stdout (demo-account lines)
  BROWSER_ARTIFACTS_DIR      where screenshots go, default <repo>/artifacts/browser
  CHROME_BIN, CHROMEDRIVER   default /usr/bin/chromium and /usr/bin/chromedriver
"""

import base64
import hashlib
import hmac
import os
import re
import struct
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import WebDriverWait

REPO = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 20
ORG = "/o/voorbeeld"  # the demo organisation's portal
GUIDE_PATH = ORG + "/wegwijzer"
# A walk through the guide to an outcome: safe -> for myself -> about a person -> bullying -> ongoing
# -> a colleague does it ("Dit lijkt op ongewenste omgangsvormen").
GUIDE_BULLYING = ["option-safe", "option-self", "option-person", "option-bullying", "option-ongoing",
                  "option-colleague"]
TOTP_STEP = 30


# --------------------------------------------------------------------------- TOTP

def totp_code(secret: str, for_time: float | None = None) -> str:
    """RFC 6238: HMAC-SHA-1, 6 digits, 30-second step, base32 secret without padding."""
    secret = secret.strip().replace(" ", "").upper()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int((time.time() if for_time is None else for_time) // TOTP_STEP)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


_last_step_used: dict[str, int] = {}


def fresh_totp(account: dict) -> str:
    """A code for `account` whose time step this session has not used for it yet.

    The server refuses a step that was already used by the same account (replay
    protection), so wait for the next step when needed. Also avoid the last seconds of
    a step, so the code is still current when the server checks it.
    """
    email = account["email"]
    while True:
        now = time.time()
        step = int(now // TOTP_STEP)
        left = TOTP_STEP - (now % TOTP_STEP)
        if step != _last_step_used.get(email) and left > 4:
            _last_step_used[email] = step
            return totp_code(account["totp-secret"], now)
        time.sleep(left + 0.2)


# --------------------------------------------------------------------------- settings

@pytest.fixture(scope="session")
def base_url() -> str:
    return os.environ.get("VERTROUWD_BASE_URL", "http://127.0.0.1:8089").rstrip("/")


@pytest.fixture(scope="session")
def exit_url() -> str:
    return os.environ.get("VERTROUWD_QUICK_EXIT_URL", "http://127.0.0.1:8090/neutral.html")


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = Path(os.environ.get("BROWSER_ARTIFACTS_DIR", REPO / "artifacts" / "browser"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def accounts() -> dict[str, list[dict]]:
    """Demo accounts by role, parsed from the server's stdout, e.g.
    demo-account role=counsellor email=a@b.example password=X totp-secret=ABC
    """
    log = os.environ.get("VERTROUWD_SERVER_LOG")
    if not log:
        pytest.fail("VERTROUWD_SERVER_LOG is not set; run scripts/browser-tests.sh")
    by_role: dict[str, list[dict]] = {}
    for line in Path(log).read_text(errors="replace").splitlines():
        line = re.sub(r"\x1b\[[0-9;]*m", "", line)  # in case the logger adds colours
        match = re.search(r"demo-account\s+(.*)$", line)
        if match:
            fields = dict(part.split("=", 1) for part in match.group(1).split() if "=" in part)
            by_role.setdefault(fields.get("role", "?"), []).append(fields)
    for role, count in (("admin", 1), ("counsellor", 2), ("organisation-contact", 1)):
        found = len(by_role.get(role, []))
        if found < count:
            pytest.fail(f"expected {count} demo account(s) with role={role} in {log}, found {found}")
    return by_role


@pytest.fixture(scope="session")
def totp():
    """totp(secret, for_time=None) -> 6-digit RFC 6238 code. App.login uses fresh_totp,
    which also respects the server's replay protection."""
    return totp_code


# --------------------------------------------------------------------------- browser

@pytest.fixture
def make_driver(request):
    """make_driver(width, height) -> a new headless Chromium, closed after the test."""
    drivers = []
    request.node.browser_drivers = drivers

    def factory(width: int = 1280, height: int = 900) -> webdriver.Chrome:
        options = webdriver.ChromeOptions()
        options.binary_location = os.environ.get("CHROME_BIN", "/usr/bin/chromium")
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                    "--disable-gpu", "--no-first-run", "--disable-extensions",
                    "--disable-background-networking", "--disable-component-update",
                    "--hide-scrollbars", "--lang=nl-NL", f"--window-size={width},{height}"):
            options.add_argument(arg)
        # A Dutch phone: the product's default language must be what such a visitor sees.
        options.add_experimental_option("prefs", {"intl.accept_languages": "nl-NL,nl"})
        service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
        driver = webdriver.Chrome(options=options, service=service)
        driver.set_page_load_timeout(60)
        drivers.append(driver)
        set_viewport(driver, width, height)
        return driver

    yield factory
    for driver in drivers:
        driver.quit()


def set_viewport(driver, width: int, height: int) -> None:
    """Make the page's viewport (window.innerWidth/innerHeight) exactly width x height."""
    driver.set_window_size(width, height)
    inner_w, inner_h = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    if (inner_w, inner_h) != (width, height):
        driver.set_window_size(2 * width - inner_w, 2 * height - inner_h)


class App:
    """Helpers that know the app's page contract (body[data-page], ids of controls)."""

    def __init__(self, base_url: str, artifacts_dir: Path):
        self.base_url = base_url
        self.artifacts_dir = artifacts_dir

    def url(self, path: str) -> str:
        return self.base_url + path

    def path_of(self, driver) -> str:
        return urlsplit(driver.current_url).path

    def wait_for_page(self, driver, name: str, status: str | None = None):
        """Wait until the loaded page is body[data-page=name] and check it; returns <body>."""
        selector = f'body[data-page="{name}"]' + (f'[data-status="{status}"]' if status else "")

        def loaded(d):
            if d.execute_script("return document.readyState") != "complete":
                return False
            found = d.find_elements(By.CSS_SELECTOR, selector)
            return found[0] if found else False

        try:
            body = WebDriverWait(driver, WAIT_SECONDS).until(loaded)
        except Exception:
            errors = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".error-summary, .error-message")]
            raise AssertionError(
                f"expected page {selector} but got {driver.current_url} with "
                f"data-page={self.data_page(driver)!r} data-status={self.body_attr(driver, 'data-status')!r}"
                f"{f'; errors shown: {errors}' if errors else ''}"
            ) from None
        lang = self.lang(driver)
        assert lang in ("nl", "en"), f"<html lang> is {lang!r} on {driver.current_url}"
        self.assert_no_foreign_requests(driver)
        return body

    def body_attr(self, driver, attr: str):
        return driver.execute_script(
            "return document.body ? document.body.getAttribute(arguments[0]) : null", attr)

    def data_page(self, driver):
        return self.body_attr(driver, "data-page")

    def lang(self, driver) -> str:
        return driver.execute_script("return document.documentElement.lang")

    def assert_no_foreign_requests(self, driver) -> None:
        """Every resource the page loaded came from the app's own origin."""
        urls = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)")
        foreign = [u for u in urls if not u.startswith(self.base_url + "/")]
        assert not foreign, f"{driver.current_url} loaded resources from other hosts: {foreign}"

    def open(self, driver, path: str, page: str):
        driver.get(self.url(path))
        return self.wait_for_page(driver, page)

    def click(self, driver, element_id: str) -> None:
        driver.find_element(By.ID, element_id).click()

    def fill(self, driver, element_id: str, text: str) -> None:
        field = driver.find_element(By.ID, element_id)
        field.clear()
        field.send_keys(text)

    def submit(self, driver, button_id: str, page: str):
        """Click a submit button and wait for the *new* document to be `page` (also when
        the form posts back to the same URL); returns its <body>."""
        old = driver.find_element(By.TAG_NAME, "html")
        self.click(driver, button_id)
        # While the document is being replaced Chromium may answer with a generic error
        # ("Node with given id does not belong to the document"): just ask again.
        WebDriverWait(driver, WAIT_SECONDS, ignored_exceptions=(WebDriverException,)).until(
            staleness_of(old))
        return self.wait_for_page(driver, page)

    def assert_guide_url(self, driver) -> None:
        """The guide's answers travel only in the POST body, never in the address."""
        parts = urlsplit(driver.current_url)
        assert (parts.path, parts.query) == (GUIDE_PATH, ""), \
            f"the guide's URL is {driver.current_url}, expected {self.url(GUIDE_PATH)}"

    def walk_guide(self, driver, option_ids: list[str]):
        """Open the guide and answer with `option_ids` (e.g. "option-safe"), one question
        per page, up to the outcome; checks the URL and the hidden answers on the way.
        Returns the outcome page's <body>."""
        self.open(driver, GUIDE_PATH, "guide-question")
        for number, option_id in enumerate(option_ids):
            self.assert_guide_url(driver)
            answers = driver.find_elements(By.CSS_SELECTOR, '#guide-form input[name="a[]"]')
            assert len(answers) == number, f"question {number + 1} carries {len(answers)} answers"
            has_back = bool(driver.find_elements(By.ID, "guide-back"))
            assert has_back == (number > 0), f"#guide-back on question {number + 1}: {has_back}"
            self.click(driver, option_id)
            last = number == len(option_ids) - 1
            body = self.submit(driver, "guide-next", "guide-outcome" if last else "guide-question")
        self.assert_guide_url(driver)
        return body

    def login(self, driver, account: dict, landing_page: str):
        """Password + TOTP login; waits for `landing_page` and returns its <body>."""
        self.open(driver, "/login", "login")
        self.fill(driver, "email", account["email"])
        self.fill(driver, "password", account["password"])
        self.click(driver, "login-submit")
        self.wait_for_page(driver, "login-2fa")
        assert self.path_of(driver) == "/login/2fa"
        self.fill(driver, "code", fresh_totp(account))
        self.click(driver, "code-submit")
        return self.wait_for_page(driver, landing_page)

    def newest_waiting_case(self, driver) -> str:
        """The address of the case whose person wrote last: the work queue lists those waiting
        longest first, so it is the last of the waiting tier, on whichever page that ends."""
        newest = None
        while True:
            for row in driver.find_elements(By.CSS_SELECTOR, "#cases tbody tr"):
                if row.find_elements(By.CSS_SELECTOR, "[data-reason=overdue], [data-reason=due_soon]"):
                    continue  # a deadline calls: those stand above the waiting tier
                if not row.find_elements(By.CSS_SELECTOR, "[data-reason=waiting]"):
                    assert newest, "a person waits in the queue"
                    return newest
                newest = row.find_element(By.CSS_SELECTOR, "a[href^='/backoffice/cases/']").get_attribute("href")
            following = driver.find_elements(By.ID, "queue-next")
            if not following:
                assert newest, "a person waits in the queue"
                return newest
            following[0].click()
            self.wait_for_page(driver, "backoffice")

    def open_newest_waiting_case(self, driver) -> None:
        driver.get(self.newest_waiting_case(driver))
        self.wait_for_page(driver, "case")

    def check_layout(self, driver, name: str) -> None:
        """Screenshots at 390 px and 1280 px wide; no horizontal scrolling at 390 px."""
        set_viewport(driver, 390, 844)
        self.screenshot(driver, f"{name}-390")
        scroll_width = driver.execute_script("return document.documentElement.scrollWidth")
        assert scroll_width <= 390 + 1, f"{name}: page is {scroll_width}px wide at a 390px viewport"
        set_viewport(driver, 1280, 900)
        self.screenshot(driver, f"{name}-1280")

    def screenshot(self, driver, name: str) -> Path:
        """Full-page PNG (beyond the viewport) into the artifacts folder."""
        path = self.artifacts_dir / f"{name}.png"
        try:
            width, height = driver.execute_script(
                "const e = document.documentElement;"
                "return [Math.max(e.scrollWidth, window.innerWidth),"
                "        Math.min(Math.max(e.scrollHeight, window.innerHeight), 8000)]")
            shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
            path.write_bytes(base64.b64decode(shot["data"]))
        except Exception:
            driver.save_screenshot(str(path))
        return path


@pytest.fixture
def app(base_url, artifacts_dir) -> App:
    return App(base_url, artifacts_dir)


# --------------------------------------------------------------------------- failures

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Save a screenshot of every browser of a failing test into the artifacts folder."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    folder = Path(os.environ.get("BROWSER_ARTIFACTS_DIR", REPO / "artifacts" / "browser"))
    folder.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid.split("::", 1)[-1])
    for index, driver in enumerate(getattr(item, "browser_drivers", [])):
        path = folder / f"FAILED-{name}-{index}.png"
        try:
            driver.save_screenshot(str(path))
            report.sections.append(("browser", f"screenshot: {path}\nurl: {driver.current_url}"))
        except Exception as error:  # the browser may be gone already
            report.sections.append(("browser", f"no screenshot: {error}"))
