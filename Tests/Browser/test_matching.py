"""Together, with consent (issue 11), in the demo: two anonymous contacts to the two demo
counsellors name the same team leader in different words. Both counsellors see that another case
may name the same person and confirm it; then both people get the choice in their inbox; nothing
moves until both agree. Needs a fresh demo database (the demo's choices start undecided)."""

import os
import re
from pathlib import Path

from selenium.webdriver.common.by import By

from conftest import ORG


def demo_receipts() -> dict[str, str]:
    """The demo's two published receipts, from the server's stdout:
    demo-receipt counsellor=anna receipt=XXXXXX-XXXXXX-XXXXXX"""
    text = Path(os.environ["VERTROUWD_SERVER_LOG"]).read_text(errors="replace")
    found = dict(re.findall(r"demo-receipt counsellor=(\w+) receipt=([0-9A-Z-]+)", text))
    assert set(found) == {"anna", "mehmet"}, found
    return found


def open_matched_case(app, driver) -> str:
    """Opens the counsellor's case that has a match section; returns that section's text."""
    links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "#cases tbody tr a")]
    for link in links:
        driver.get(link)
        app.wait_for_page(driver, "case")
        sections = driver.find_elements(By.ID, "matches")
        if sections:
            return sections[0].text
    raise AssertionError("no case of this counsellor shows a match")


def choose_in_inbox(app, driver, receipt: str, choice: str) -> None:
    app.open(driver, f"{ORG}/inbox", "inbox-login")
    app.fill(driver, "receipt", receipt)
    app.submit(driver, "inbox-open", "inbox")
    section = driver.find_element(By.ID, "matches").text
    assert "dezelfde persoon" in section, section
    assert driver.find_elements(By.ID, "match-needs-choice"), "a first choice is asked for"
    app.click(driver, f"match-{choice}")
    app.submit(driver, "match-submit", "inbox")


def test_two_people_naming_one_team_leader_choose_and_nothing_moves_until_both_agree(make_driver, app, accounts):
    receipts = demo_receipts()
    anna, mehmet = accounts["counsellor"][0], accounts["counsellor"][1]
    annas = make_driver(1280, 900)
    app.login(annas, anna, "backoffice")
    section = open_matched_case(app, annas)
    reference = re.search(r"Kenmerk ([0-9A-F]{8})", section).group(1)
    assert "Nog niet aan de melders voorgelegd" in section and "Mehmet" not in section, section

    # Before both counsellors confirm, the people are told nothing.
    first = make_driver(390, 844)
    app.open(first, f"{ORG}/inbox", "inbox-login")
    app.fill(first, "receipt", receipts["anna"])
    app.submit(first, "inbox-open", "inbox")
    assert not first.find_elements(By.ID, "matches")

    app.submit(annas, f"match-confirm-{reference}", "case")
    assert "pas als de andere vertrouwenspersoon" in annas.find_element(By.ID, "matches").text
    mehmets = make_driver(1280, 900)
    app.login(mehmets, mehmet, "backoffice")
    section = open_matched_case(app, mehmets)
    assert f"Kenmerk {reference}" in section
    app.submit(mehmets, f"match-confirm-{reference}", "case")
    assert "Wacht op de keuze van beide melders" in mehmets.find_element(By.ID, "matches").text

    # The first person agrees to talk: one side alone moves nothing.
    choose_in_inbox(app, first, receipts["anna"], "talk")
    assert first.find_elements(By.ID, "match-waiting")
    app.check_layout(first, "inbox-match")
    annas.refresh()
    app.wait_for_page(annas, "case")
    assert "Mehmet" not in annas.find_element(By.ID, "matches").text

    # The second person agrees as well: now both counsellors may talk, and see with whom.
    second = make_driver(390, 844)
    choose_in_inbox(app, second, receipts["mehmet"], "together")
    assert second.find_elements(By.ID, "match-talking")
    annas.refresh()
    app.wait_for_page(annas, "case")
    section = annas.find_element(By.ID, "matches").text
    assert "Mehmet" in section and "overleg" in section, section
    assert "afkomst" not in annas.page_source, "the other case's content stays with its counsellor"
    app.check_layout(annas, "backoffice-case-match")
    mehmets.refresh()
    app.wait_for_page(mehmets, "case")
    assert "Anna de Vries" in mehmets.find_element(By.ID, "matches").text
