"""An anonymous contact end to end on a phone-sized window: choose a counsellor, write, send, keep
the receipt, open the inbox with it, and read the counsellor's reply written in the back office."""

import mailbox
import os
import time

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

    # The chosen counsellor is told by e-mail (through a real SMTP server), without any content.
    mail = wait_for_mail(accounts["counsellor"][0]["email"])
    assert "/login" in mail and "uiterlijk" not in mail and "Voorbeeld" not in mail

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


def wait_for_mail(recipient: str, timeout: float = 30) -> str:
    """The first message to `recipient` in the maildir that scripts/browser-tests.sh's aiosmtpd fills."""
    folder = os.environ["VERTROUWD_MAILDIR"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in mailbox.Maildir(folder, create=True):
            if recipient in message.get("To", "") or recipient in message.get("X-RcptTo", ""):
                return message.get_payload(decode=True).decode("utf-8", "replace")
        time.sleep(0.5)
    raise AssertionError(f"no mail to {recipient} within {timeout}s in {folder}")
