"""Self-help for visitors: the guide (wegwijzer), the knowledge base and search.

Every page waited for is also checked for requests to other hosts (App.wait_for_page).
"""

import urllib.request
from urllib.error import HTTPError
from urllib.parse import urlsplit, parse_qs

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import GUIDE_BULLYING, GUIDE_PATH, ORG, set_viewport

KB = ORG + "/kennisbank"


def http_status(driver):
    """The HTTP status of the current document (None if the browser does not tell)."""
    return driver.execute_script(
        "const nav = performance.getEntriesByType('navigation')[0];"
        "return nav && nav.responseStatus ? nav.responseStatus : null;")


def text_of(driver, selector: str) -> str:
    return driver.find_element(By.CSS_SELECTOR, selector).text.strip()


def step_boxes(driver):
    return driver.find_elements(By.CSS_SELECTOR, "section.action-plan input[name=step]")


def ticked_steps(driver) -> list[str]:
    return [box.get_attribute("value") for box in step_boxes(driver) if box.is_selected()]


def test_guide_to_outcome_on_a_phone(make_driver, app):
    driver = make_driver(390, 844)
    app.open(driver, ORG, "organisation")
    driver.find_element(By.CSS_SELECTOR, f'a[href="{GUIDE_PATH}"]').click()
    app.wait_for_page(driver, "guide-question")
    app.assert_guide_url(driver)
    app.check_layout(driver, "guide-question")
    set_viewport(driver, 390, 844)

    # Continuing without a choice: an error summary, the same question, HTTP 422.
    app.submit(driver, "guide-next", "guide-question")
    assert driver.find_elements(By.CSS_SELECTOR, ".error-summary"), "no .error-summary"
    assert driver.find_elements(By.ID, "option-safe"), "not the first question any more"
    assert http_status(driver) in (None, 422), f"HTTP status {http_status(driver)}"
    app.assert_guide_url(driver)

    app.walk_guide(driver, GUIDE_BULLYING)
    assert text_of(driver, "h1") == "Dit lijkt op ongewenste omgangsvormen"
    assert driver.find_elements(By.CSS_SELECTOR, f'main a[href="{KB}/pesten"]'), \
        "the outcome does not link to the article pesten"
    assert step_boxes(driver), "no action plan (section.action-plan input[name=step])"
    assert driver.find_element(By.ID, "print-plan").is_displayed(), "#print-plan is hidden"
    assert driver.find_elements(By.CSS_SELECTOR, "ul.routes li"), "no route cards"
    app.check_layout(driver, "guide-outcome")
    set_viewport(driver, 390, 844)

    # Tick a step: the tick is kept in this browser (localStorage) ...
    box = step_boxes(driver)[0]
    step = box.get_attribute("value")
    assert not box.is_selected()
    box.click()
    assert box.is_selected()

    # ... Back returns to the last question with the previous answer checked ...
    app.submit(driver, "guide-back", "guide-question")
    app.assert_guide_url(driver)
    assert text_of(driver, "h1") == "Wie doet het?"
    assert driver.find_element(By.ID, "option-colleague").is_selected(), \
        "Back from the outcome did not keep the previous answer (#option-colleague) checked"
    app.submit(driver, "guide-next", "guide-outcome")
    app.assert_guide_url(driver)

    assert ticked_steps(driver) == [step], "the tick is gone after Back and Verder"

    # ... and is still there when the guide is walked again to the same outcome.
    app.walk_guide(driver, GUIDE_BULLYING)
    assert ticked_steps(driver) == [step], "the tick is gone after walking the guide again"


def test_guide_danger_goes_to_safety_first(make_driver, app):
    driver = make_driver(390, 844)
    app.walk_guide(driver, ["option-danger"])
    assert text_of(driver, "h1") == "Zorg eerst dat je veilig bent"
    assert driver.find_elements(By.CSS_SELECTOR, f'ul.routes li a[href="{KB}/noodgeval"]'), \
        "no route card linking to the article noodgeval"


GUIDE_AS = {
    # (who, answers after "safe", Dutch and English headings, the article the outcome leads to)
    "bystander": (["option-safe", "option-witness", "option-unwanted"],
                  {"nl": "Je ziet dat het een ander overkomt", "en": "You see it happening to someone else"},
                  "voor-omstanders"),
    "manager": (["option-safe", "option-manager"],
                {"nl": "Iemand uit je team heeft je iets toevertrouwd", "en": "Someone in your team has confided in you"},
                "voor-leidinggevenden"),
}


def test_guide_as_bystander_and_as_manager_in_dutch_and_english(make_driver, app):
    driver = make_driver(390, 844)
    for language in ("nl", "en"):
        app.open(driver, ORG, "organisation")
        if app.lang(driver) != language:
            app.click(driver, "lang-switch")
            WebDriverWait(driver, 20).until(lambda d: app.lang(d) == language)
        for who, (answers, headings, article) in GUIDE_AS.items():
            app.walk_guide(driver, answers)
            assert app.lang(driver) == language
            assert text_of(driver, "h1") == headings[language], f"{who} in {language}: {text_of(driver, 'h1')!r}"
            assert driver.find_elements(By.CSS_SELECTOR, f'main a[href="{KB}/{article}"]'), f"{who}: no link to {article}"
            assert step_boxes(driver), f"{who}: no action plan"
            assert driver.find_elements(By.CSS_SELECTOR, f'ul.routes li a[href="{ORG}/contact"]'), \
                f"{who}: no route to a counsellor"
            app.screenshot(driver, f"guide-{who}-{language}-390")


def test_a_search_that_signals_danger_shows_113_first(make_driver, app):
    driver = make_driver(390, 844)
    app.open(driver, ORG + "/zoeken?q=ik+wil+er+niet+meer+zijn", "search")
    box = driver.find_element(By.ID, "safety-first")
    assert "113" in box.text and box.is_displayed()
    first = driver.find_elements(By.CSS_SELECTOR, "ol.search-results li a")[0]
    assert urlsplit(first.get_attribute("href")).path == KB + "/noodgeval"
    assert box.location["y"] < first.location["y"], "the 113 box is not above the results"
    app.screenshot(driver, "search-danger-390")


def test_search_from_portal_to_english_article(make_driver, app):
    driver = make_driver(1280, 900)
    app.open(driver, ORG, "organisation")
    assert driver.find_elements(By.CSS_SELECTOR, f'a[href="{KB}"]'), "no link to the knowledge base"
    form = driver.find_element(By.CSS_SELECTOR, "form.search-form")
    assert urlsplit(form.get_attribute("action")).path == ORG + "/zoeken"
    assert (form.get_attribute("method") or "get").lower() == "get"
    app.fill(driver, "q", "gepest")
    form.submit()
    app.wait_for_page(driver, "search")
    url = urlsplit(driver.current_url)
    assert url.path == ORG + "/zoeken" and parse_qs(url.query).get("q") == ["gepest"]

    results = driver.find_elements(By.CSS_SELECTOR, "ol.search-results li a")
    assert results, "no search results for 'gepest'"
    first = results[0]
    assert first.text.strip() == "Pesten", f"first result is {first.text!r}"
    assert urlsplit(first.get_attribute("href")).path == KB + "/pesten"
    assert driver.find_elements(By.CSS_SELECTOR, "ol.search-results mark"), "no <mark> highlights"

    first.click()
    app.wait_for_page(driver, "kb-article")
    assert app.path_of(driver) == KB + "/pesten"
    assert text_of(driver, "h1") == "Pesten"
    assert app.lang(driver) == "nl"
    assert driver.find_elements(By.CSS_SELECTOR, "nav.breadcrumbs"), "no breadcrumbs"
    assert driver.find_elements(By.CSS_SELECTOR, "nav.toc"), "no table of contents"

    app.click(driver, "lang-switch")
    WebDriverWait(driver, 20).until(lambda d: app.lang(d) == "en")
    app.wait_for_page(driver, "kb-article")
    assert app.path_of(driver) == KB + "/pesten"
    assert driver.find_elements(By.CSS_SELECTOR, "html[lang=en]")
    assert text_of(driver, "h1") == "Bullying"


def test_every_article_on_the_themes_page_opens(make_driver, app):
    driver = make_driver(1280, 900)
    app.open(driver, KB, "kb-themes")
    paths = driver.execute_script(
        "return [...new Set([...document.querySelectorAll('main a[href]')]"
        "  .filter(a => a.origin === location.origin && a.pathname.startsWith(arguments[0]))"
        "  .map(a => a.pathname))]", KB + "/")
    assert len(paths) >= 20, f"only {len(paths)} article links on {KB}: {paths}"

    failures = []
    for path in paths:
        request = urllib.request.Request(app.url(path), headers={"Accept-Language": "nl"})
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                status = response.status
        except HTTPError as error:
            status = error.code
        if status != 200:
            failures.append(f"{path}: HTTP {status}")
    assert not failures, "article links that do not open: " + ", ".join(failures)
