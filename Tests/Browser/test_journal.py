"""The private journal on a phone-sized window: start one, write three entries, read the pattern,
download the PDF, and share two entries with the demo counsellor, who finds them in the case."""

import http.cookiejar
import urllib.request

from selenium.webdriver.common.by import By

from conftest import ORG


def set_date(driver, value: str) -> None:
    # A date field's typing format follows the browser's locale; setting the value is exact.
    driver.execute_script("arguments[0].value = arguments[1]", driver.find_element(By.ID, "date"), value)


def download(app, driver, path: str) -> bytes:
    """Fetches `path` with the browser's cookies (a download the browser would save)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    request = urllib.request.Request(app.url(path), headers={"Cookie": cookie})
    with opener.open(request, timeout=60) as response:
        return response.read()


def test_keep_a_journal_and_share_it_with_a_counsellor(make_driver, app, accounts):
    person = make_driver(390, 844)
    # A conversation first, so there is a case to share with.
    app.open(person, ORG + "/contact", "contact")
    person.find_elements(By.CSS_SELECTOR, "input[name=counsellor]")[0].click()
    app.fill(person, "message", "Ik houd een logboek bij en wil dat graag laten zien.")
    app.submit(person, "contact-submit", "receipt")
    code = person.find_element(By.ID, "receipt-code").text.strip()

    app.open(person, ORG, "organisation")
    person.find_element(By.ID, "journal-link").click()
    app.wait_for_page(person, "journal-start")
    app.check_layout(person, "journal-start")
    app.submit(person, "journal-new-generated", "journal-phrase")
    phrase = person.find_element(By.ID, "journal-phrase").text.strip()
    assert len(phrase) == 20, phrase
    person.find_element(By.ID, "saved").click()
    app.submit(person, "journal-phrase-continue", "journal-timeline")

    for date, what in [("2026-09-01", "Jan riep in de vergadering dat ik niets kan."),
                       ("2026-09-08", "Jan lachte me uit bij de koffie."),
                       ("2026-09-22", "Jan gaf mijn werk aan een ander zonder iets te zeggen.")]:
        person.find_element(By.ID, "journal-add").click()
        app.wait_for_page(person, "journal-entry")
        set_date(person, date)
        app.fill(person, "people", "Jan Smit")
        app.fill(person, "what", what)
        app.submit(person, "journal-entry-submit", "journal-timeline")
    assert len(person.find_elements(By.CSS_SELECTOR, "#journal-entries li")) == 3
    app.check_layout(person, "journal-timeline")

    person.find_element(By.ID, "journal-summary-link").click()
    app.wait_for_page(person, "journal-summary")
    assert person.find_elements(By.ID, "journal-nudge"), "three times the same person over weeks: the page points to help"
    assert "Jan Smit" in person.find_element(By.ID, "summary-recurring").text
    app.check_layout(person, "journal-summary")

    person.find_element(By.ID, "journal-export-link").click()
    app.wait_for_page(person, "journal-export")
    head = person.find_element(By.ID, "journal-head").text.strip()
    assert len(head) == 64
    pdf = download(app, person, ORG + "/logboek/export.pdf")
    assert pdf.startswith(b"%PDF"), pdf[:20]
    app.check_layout(person, "journal-export")

    person.find_element(By.ID, "journal-share-link").click()
    app.wait_for_page(person, "journal-share")
    app.fill(person, "receipt", code)
    boxes = person.find_elements(By.CSS_SELECTOR, "input[name='entries[]']")
    boxes[0].click()
    boxes[1].click()
    app.submit(person, "journal-share-submit", "journal-share")

    counsellor = make_driver(1280, 900)
    app.login(counsellor, accounts["counsellor"][0], "backoffice")
    app.open_newest_waiting_case(counsellor)
    shared = counsellor.find_element(By.ID, "shared-journal").text
    assert "zonder iets te zeggen" in shared and "lachte me uit" in shared
    assert "riep in de vergadering" not in shared, "only the two chosen entries"
    app.check_layout(counsellor, "case-with-journal")
