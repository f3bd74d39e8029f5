"""Logging in with password + TOTP, language switch, logout and CSRF refusal.

Each test logs in with a different demo account, so the server's TOTP replay protection
(one use per account per 30-second step) never makes a test wait.
Every page waited for is also checked for requests to other hosts (App.wait_for_page).
"""

import pytest
from selenium.webdriver.support.ui import WebDriverWait


def test_counsellor_login_switch_language_and_logout(make_driver, app, accounts):
    driver = make_driver(1280, 900)
    app.login(driver, accounts["counsellor"][0], "backoffice")
    assert app.path_of(driver) == "/backoffice"
    assert app.lang(driver) == "nl"

    switch = driver.find_element("id", "lang-switch")
    assert "/lang/en" in switch.get_attribute("href")
    switch.click()
    WebDriverWait(driver, 20).until(lambda d: app.lang(d) == "en")
    app.wait_for_page(driver, "backoffice")
    assert app.path_of(driver) == "/backoffice"

    app.click(driver, "logout")
    app.wait_for_page(driver, "login")
    assert app.path_of(driver) == "/login"

    # The session is gone: the back office no longer shows.
    driver.get(app.url("/backoffice"))
    WebDriverWait(driver, 20).until(
        lambda d: d.execute_script("return document.readyState") == "complete")
    assert app.data_page(driver) != "backoffice"


@pytest.mark.parametrize("role, page, path", [
    ("admin", "admin", "/admin"),
    ("organisation-contact", "management", "/management"),
])
def test_role_lands_on_its_own_page(make_driver, app, accounts, role, page, path):
    driver = make_driver(1280, 900)
    app.login(driver, accounts[role][0], page)
    assert app.path_of(driver) == path


def test_login_without_csrf_token_is_refused(make_driver, app):
    driver = make_driver(1280, 900)
    app.open(driver, "/login", "login")
    removed = driver.execute_script(
        "const inputs = document.querySelectorAll('#login-form input[name=\"csrf\"]');"
        "inputs.forEach(input => input.remove());"
        "return inputs.length;")
    assert removed == 1, "the login form should carry exactly one hidden csrf input"

    app.fill(driver, "email", "csrf-test@voorbeeld.example")
    app.fill(driver, "password", "not-the-password")
    app.click(driver, "login-submit")
    app.wait_for_page(driver, "error", status="403")
    status = driver.execute_script(
        "const nav = performance.getEntriesByType('navigation')[0];"
        "return nav && nav.responseStatus ? nav.responseStatus : null;")
    assert status in (None, 403), f"HTTP status of the error page is {status}"


def test_backoffice_layout(make_driver, app, accounts):
    driver = make_driver(390, 844)
    app.login(driver, accounts["counsellor"][1], "backoffice")
    app.check_layout(driver, "backoffice")
