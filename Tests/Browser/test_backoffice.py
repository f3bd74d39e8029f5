"""The counsellor's day: an anonymous contact arrives, the counsellor logs in with 2FA, answers,
keeps a note, registers the case for the yearly report and closes it; the retention page then
lists the day its content will be destroyed."""

from selenium.webdriver.common.by import By

from conftest import ORG


def test_counsellor_answers_registers_and_closes_a_case(make_driver, app, accounts):
    # The person writes to the second demo counsellor (Mehmet Yılmaz).
    person = make_driver(390, 844)
    app.open(person, ORG + "/contact", "contact")
    person.find_elements(By.CSS_SELECTOR, "input[name=counsellor]")[1].click()
    app.fill(person, "message", "Een collega maakt steeds grappen over mijn geloof. Ik weet niet wat ik moet doen.")
    app.submit(person, "contact-submit", "receipt")

    counsellor = make_driver(1280, 900)
    app.login(counsellor, accounts["counsellor"][1], "backoffice")
    assert int(counsellor.find_element(By.ID, "summary-waiting").text) >= 1
    app.check_layout(counsellor, "backoffice-dashboard")
    app.open_newest_waiting_case(counsellor)
    assert "grappen over mijn geloof" in counsellor.find_element(By.CSS_SELECTOR, "ol.conversation").text

    app.fill(counsellor, "message", "Dank voor je bericht. Zullen we deze week bellen?")
    app.submit(counsellor, "case-send", "case")
    app.fill(counsellor, "note", "Eerste contact; melder wil eerst advies, geen stappen.")
    app.submit(counsellor, "note-submit", "case")
    assert "geen stappen" in counsellor.find_element(By.CSS_SELECTOR, "#notes-title").find_element(By.XPATH, "..").text

    # Closing before registering is refused with an explanation.
    app.submit(counsellor, "case-close", "case")
    assert counsellor.find_elements(By.CSS_SELECTOR, ".error-summary")

    counsellor.find_element(By.ID, "reg-kind-discriminatie").click()
    counsellor.find_element(By.ID, "party-collega").click()
    counsellor.find_element(By.ID, "pattern-herhaald").click()
    counsellor.find_element(By.ID, "outcome-advies").click()
    app.fill(counsellor, "contacts", "2")
    app.fill(counsellor, "hours", "1,5")
    app.submit(counsellor, "registration-submit", "case")
    assert counsellor.find_elements(By.ID, "registration-done")
    app.submit(counsellor, "case-close", "case")
    assert counsellor.find_element(By.ID, "purge-date").text
    app.check_layout(counsellor, "backoffice-case-closed")

    counsellor.find_element(By.CSS_SELECTOR, 'a[href="/backoffice"]').click()
    app.wait_for_page(counsellor, "backoffice")
    counsellor.find_element(By.ID, "retention-link").click()
    app.wait_for_page(counsellor, "retention")
    assert counsellor.find_elements(By.CSS_SELECTOR, "#retention tbody tr")
