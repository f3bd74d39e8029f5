"""An anonymous contact end to end on a phone-sized window: choose a counsellor, write, send, keep
the receipt, open the inbox with it, and read the counsellor's reply written in the back office."""

from selenium.webdriver.common.by import By

from conftest import ORG


def test_anonymous_contact_and_reply_on_a_phone(make_driver, app, accounts):
    person = make_driver(390, 844)
    app.open(person, ORG, "organisation")
    person.find_element(By.CSS_SELECTOR, f'a[href="{ORG}/contact"]').click()
    app.wait_for_page(person, "contact")
    app.check_layout(person, "contact")
    # Counsellors are listed by name: the first is the demo's first counsellor (Anna de Vries).
    person.find_elements(By.CSS_SELECTOR, "input[name=counsellor]")[0].click()
    app.fill(person, "message", "Mijn teamleider maakt al weken opmerkingen over mijn uiterlijk.")
    assert person.find_element(By.ID, "identity-anonymous").is_selected(), "anonymous is the default"
    app.submit(person, "contact-submit", "receipt")
    code = person.find_element(By.ID, "receipt-code").text.strip()
    assert len(code) == 20 and code.count("-") == 2, code
    assert code not in person.current_url
    app.check_layout(person, "receipt")

    # Leaving without confirming is refused; ticking the box lets the person through.
    app.submit(person, "receipt-continue", "receipt")
    assert person.find_elements(By.CSS_SELECTOR, ".error-summary")
    person.find_element(By.ID, "saved").click()
    app.submit(person, "receipt-continue", "inbox")
    assert "opmerkingen over mijn uiterlijk" in person.find_element(By.CSS_SELECTOR, "ol.conversation").text
    assert code not in person.current_url

    # The chosen counsellor answers from the back office.
    counsellor = make_driver(1280, 900)
    app.login(counsellor, accounts["counsellor"][0], "backoffice")
    counsellor.find_element(By.CSS_SELECTOR, "#cases tbody tr a").click()
    app.wait_for_page(counsellor, "case")
    assert "opmerkingen over mijn uiterlijk" in counsellor.find_element(By.CSS_SELECTOR, "ol.conversation").text
    app.fill(counsellor, "message", "Dank je. Wil je dat ik je bel, of schrijven we hier verder?")
    app.submit(counsellor, "case-send", "case")
    app.check_layout(counsellor, "backoffice-case")

    # Later, in a fresh browser, the person opens the inbox with the code and reads the reply.
    later = make_driver(390, 844)
    app.open(later, ORG + "/inbox", "inbox-login")
    app.fill(later, "receipt", code.lower().replace("-", " "))
    app.submit(later, "inbox-open", "inbox")
    assert "Wil je dat ik je bel" in later.find_element(By.CSS_SELECTOR, "ol.conversation").text
    app.check_layout(later, "inbox")
