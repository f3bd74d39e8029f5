"""The yearly report: the counsellor corrects last year's released report (a new version, with a
preview of exactly what management will see) and releases it; the organisation's HR contact logs
in and reads it, with charts, and no count from 1 to 4 anywhere on the page or in the CSV."""

import re
from datetime import date

from selenium.webdriver.common.by import By

LAST_YEAR = date.today().year - 1


def shown_numbers(driver) -> list[int]:
    cells = driver.find_elements(By.CSS_SELECTOR, ".report-table td, .report-figures dd")
    return [int(cell.text) for cell in cells if re.fullmatch(r"\d+", cell.text.strip())]


def test_counsellor_corrects_and_releases_and_management_reads(make_driver, app, accounts):
    counsellor = make_driver(1280, 900)
    app.login(counsellor, accounts["counsellor"][0], "backoffice")
    app.click(counsellor, "yearly-link")
    app.wait_for_page(counsellor, "yearly-list")
    counsellor.find_element(By.CSS_SELECTOR, f'a[href="/backoffice/jaarverslag/voorbeeld/{LAST_YEAR}"]').click()
    app.wait_for_page(counsellor, "yearly-draft")
    assert counsellor.find_elements(By.ID, "released-state")

    app.submit(counsellor, "start-correction", "yearly-draft")
    assert counsellor.find_elements(By.ID, "correction-state")
    app.fill(counsellor, "signals", "Meer vragen over werkdruk.\n<script>alert(1)</script>")
    app.submit(counsellor, "save-draft", "yearly-draft")
    preview = counsellor.find_element(By.ID, "narrative-signals").text
    assert "<script>alert(1)</script>" in preview  # shown as text, not run
    assert len(counsellor.find_elements(By.CSS_SELECTOR, ".report-preview svg.chart")) >= 5

    # Releasing needs the confirmation.
    app.submit(counsellor, "release", "yearly-draft")
    assert counsellor.find_elements(By.CSS_SELECTOR, ".error-summary")
    counsellor.find_element(By.ID, "confirm-release").click()
    app.submit(counsellor, "release", "yearly-draft")
    assert counsellor.find_elements(By.ID, "released-state")
    app.check_layout(counsellor, "yearly-draft-released")

    manager = make_driver(1280, 900)
    app.login(manager, accounts["organisation-contact"][0], "management")
    app.check_layout(manager, "management")
    manager.find_element(By.PARTIAL_LINK_TEXT, str(LAST_YEAR)).click()
    app.wait_for_page(manager, "yearly-report")
    assert str(LAST_YEAR) in manager.find_element(By.TAG_NAME, "h1").text
    assert "2" in manager.find_element(By.ID, "released-on").text  # version 2
    assert manager.find_elements(By.ID, "earlier-title")
    assert len(manager.find_elements(By.CSS_SELECTOR, "svg.chart")) >= 5
    numbers = shown_numbers(manager)
    assert numbers, "the report shows figures"
    assert not [n for n in numbers if 1 <= n <= 4], f"a count from 1 to 4 is shown: {numbers}"
    assert "< 5" in manager.find_element(By.TAG_NAME, "main").text
    app.assert_no_foreign_requests(manager)
    app.check_layout(manager, "yearly-report")

    csv = manager.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(document.getElementById('report-csv').href).then(r => r.text()).then(done);")
    rows = [line.rsplit(",", 1) for line in csv.strip().splitlines()[1:]]
    counts = [value for start, value in rows if not start.startswith(("contacts", "hours"))]
    assert "<5" in counts
    assert not [value for value in counts if value in {"1", "2", "3", "4"}], csv

    # Management cannot open the counsellor's side.
    app.open(manager, f"/backoffice/jaarverslag/voorbeeld/{LAST_YEAR}", "error")
