"""Reaching a counsellor on a phone-sized window: an anonymous contact and a confidential formal
report, each from choosing a counsellor to reading the reply in the inbox with the receipt."""

import mailbox
import os
import struct
import time
import zlib

from selenium.webdriver.common.by import By

from conftest import ORG


def test_anonymous_contact_and_reply_on_a_phone(make_driver, app, accounts):
    person = make_driver(390, 844)
    app.open(person, ORG, "organisation")
    # The person reads who the counsellors are and picks one from their profile.
    person.find_element(By.ID, "counsellors-link").click()
    app.wait_for_page(person, "counsellors")
    app.check_layout(person, "counsellors")
    profiles = person.find_elements(By.CSS_SELECTOR, ".counsellor")
    assert len(profiles) == 2 and "Türkçe" in profiles[1].text, [p.text for p in profiles]
    profiles[0].find_element(By.CSS_SELECTOR, "a.button").click()
    app.wait_for_page(person, "contact")
    app.check_layout(person, "contact")
    # The counsellor chosen on the profile page is already selected (the demo's Anna de Vries).
    chosen = person.find_elements(By.CSS_SELECTOR, "input[name=counsellor]")[0]
    assert chosen.is_selected()
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
    app.open_newest_waiting_case(counsellor)
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


def tiny_png_with_text(text: str) -> bytes:
    """A 1×1 PNG carrying `text` in a tEXt chunk, as a phone screenshot may carry its maker."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"tEXt", b"Author\x00" + text.encode())
            + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))


def test_confidential_report_with_a_file_and_a_nudge(make_driver, app, accounts, tmp_path):
    """A formal report under the Wbk, with a name, a screenshot and an address for a nudge: the
    reporting point acknowledges it and replies; the nudge arrives (over STARTTLS with a login);
    the inbox shows the acknowledged deadline and the reply."""
    screenshot = tmp_path / "schermafdruk.png"
    screenshot.write_bytes(tiny_png_with_text("Fatima op haar telefoon"))
    person = make_driver(390, 844)
    app.open(person, ORG, "organisation")
    person.find_element(By.CSS_SELECTOR, f'a[href="{ORG}/melden"]').click()
    app.wait_for_page(person, "report")
    assert "Huis voor Klokkenluiders" in person.find_element(By.ID, "external-title").find_element(By.XPATH, "..").text
    app.check_layout(person, "report")
    person.find_elements(By.CSS_SELECTOR, "input[name=counsellor]")[0].click()
    app.fill(person, "message", "Mijn afdelingshoofd laat facturen dubbel betalen aan het bedrijf van zijn zwager.")
    person.find_element(By.ID, "identity-confidential").click()
    app.fill(person, "name", "Fatima Bakker")
    app.fill(person, "contact", "06 12345678")
    person.find_element(By.ID, "attachments").send_keys(str(screenshot))
    app.fill(person, "notify", "fatima.prive@example.net")
    app.submit(person, "contact-submit", "receipt")
    code = person.find_element(By.ID, "receipt-code").text.strip()
    person.find_element(By.ID, "saved").click()
    app.submit(person, "receipt-continue", "inbox")
    conversation = person.find_element(By.CSS_SELECTOR, "ol.conversation").text
    assert "facturen dubbel" in conversation and "schermafdruk.png" in conversation

    # The reporting point sees the name and the file, acknowledges and replies.
    counsellor = make_driver(1280, 900)
    app.login(counsellor, accounts["counsellor"][0], "backoffice")
    app.open_newest_waiting_case(counsellor)
    assert counsellor.find_element(By.ID, "identity-name").text == "Fatima Bakker"
    assert "schermafdruk.png" in counsellor.find_element(By.CSS_SELECTOR, "ol.conversation").text
    app.submit(counsellor, "case-acknowledge", "case")
    app.fill(counsellor, "message", "Dank voor je melding. Ik neem contact met je op om af te spreken.")
    app.submit(counsellor, "case-send", "case")

    # The nudge reaches the address the person gave, with the inbox link and nothing else.
    nudge = wait_for_mail("fatima.prive@example.net")
    assert ORG + "/inbox" in nudge and "facturen" not in nudge and "Fatima" not in nudge

    later = make_driver(390, 844)
    app.open(later, ORG + "/inbox", "inbox-login")
    app.fill(later, "receipt", code)
    app.submit(later, "inbox-open", "inbox")
    assert "Ik neem contact met je op" in later.find_element(By.CSS_SELECTOR, "ol.conversation").text
    deadlines = later.find_elements(By.CSS_SELECTOR, "section.deadlines li.deadline")
    assert len(deadlines) == 2, "a formal report shows both Wbk deadlines in the inbox"
    assert not later.find_elements(By.CSS_SELECTOR, "section.deadlines li.overdue")
    app.check_layout(later, "inbox-report")


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
