"""A counsellor works through the queue on a phone: the person who waits comes first, a filter
narrows the list and says how many cases it holds, and once answered the case no longer waits."""

import re

from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select

from conftest import ORG, set_viewport


def test_counsellor_works_through_the_queue_on_a_phone(make_driver, app, accounts):
    person = make_driver(390, 844)
    app.open(person, ORG + "/contact", "contact")
    person.find_elements(By.CSS_SELECTOR, "input[name=counsellor]")[0].click()
    app.fill(person, "message", "Mijn teamleider schreeuwt tegen me waar anderen bij zijn. Kan ik met iemand praten?")
    app.submit(person, "contact-submit", "receipt")

    counsellor = make_driver(390, 844)
    app.login(counsellor, accounts["counsellor"][0], "backoffice")
    assert int(counsellor.find_element(By.ID, "summary-waiting").text) >= 1
    app.check_layout(counsellor, "backoffice-queue")

    # Only contacts the person chose this counsellor for: the count follows the filter, which is
    # folded away until it is used.
    assert not counsellor.find_element(By.ID, "filter-kind").is_displayed()
    counsellor.find_element(By.ID, "filter-toggle").click()
    Select(counsellor.find_element(By.ID, "filter-kind")).select_by_value("contact")
    Select(counsellor.find_element(By.ID, "filter-scope")).select_by_value("chosen")
    app.submit(counsellor, "filter-submit", "backoffice")
    assert "kind=contact" in counsellor.current_url and "scope=chosen" in counsellor.current_url
    count = int(re.search(r"\d+", counsellor.find_element(By.ID, "queue-count").text).group())
    shown = len(counsellor.find_elements(By.CSS_SELECTOR, "#cases tbody tr"))
    assert shown >= 1 and (count == shown if not counsellor.find_elements(By.ID, "queue-next") else count > shown)
    assert Select(counsellor.find_element(By.ID, "filter-kind")).first_selected_option.get_attribute("value") == "contact"
    waiting_before = int(counsellor.find_element(By.ID, "summary-waiting").text)

    # Those waiting longest come first, so the newest is the last of the waiting tier.
    newest = app.newest_waiting_case(counsellor)
    case_id = newest.rsplit("/", 1)[-1]
    set_viewport(counsellor, 390, 844)
    app.screenshot(counsellor, "backoffice-queue-filtered-390")
    counsellor.get(newest)
    app.wait_for_page(counsellor, "case")
    assert "schreeuwt tegen me" in counsellor.find_element(By.CSS_SELECTOR, "ol.conversation").text
    app.fill(counsellor, "message", "Dank je dat je schrijft. Zullen we morgen bellen? Je kiest zelf het moment.")
    app.submit(counsellor, "case-send", "case")

    # Back in the queue, the answered case waits no more.
    app.open(counsellor, "/backoffice?kind=contact&scope=chosen", "backoffice")
    waiting = [
        row.find_element(By.CSS_SELECTOR, "a").get_attribute("href").rsplit("/", 1)[-1]
        for row in counsellor.find_elements(By.CSS_SELECTOR, "#cases tbody tr")
        if row.find_elements(By.CSS_SELECTOR, "[data-reason=waiting]")
    ]
    assert case_id not in waiting  # on this page; the count below covers the others
    assert int(counsellor.find_element(By.ID, "summary-waiting").text) == waiting_before - 1

    # A filter that holds nothing says so, and clearing it brings the whole queue back.
    Select(counsellor.find_element(By.ID, "filter-due")).select_by_value("overdue")
    Select(counsellor.find_element(By.ID, "filter-kind")).select_by_value("contact")
    app.submit(counsellor, "filter-submit", "backoffice")
    assert counsellor.find_element(By.CSS_SELECTOR, ".empty-state").text
    counsellor.find_element(By.ID, "filter-clear").click()
    app.wait_for_page(counsellor, "backoffice")
    assert "?" not in counsellor.current_url
    assert counsellor.find_elements(By.CSS_SELECTOR, "#cases tbody tr")
