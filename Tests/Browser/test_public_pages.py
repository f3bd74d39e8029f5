"""Public pages: quick exit (click and Escape) and layout at phone and desktop width.

Every page waited for is also checked for requests to other hosts (App.wait_for_page).
"""

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

PUBLIC_PAGES = [
    ("/", "home"),
    ("/login", "login"),
    ("/o/voorbeeld", "organisation"),
]


def wait_for_neutral_page(driver, exit_url):
    WebDriverWait(driver, 20).until(lambda d: d.current_url == exit_url)
    assert driver.title == "Neutral"


@pytest.mark.parametrize("path, page", PUBLIC_PAGES)
def test_quick_exit_by_click(make_driver, app, exit_url, path, page):
    driver = make_driver(1280, 900)
    app.open(driver, path, page)
    link = driver.find_element("id", "quick-exit")
    assert link.get_attribute("href") == exit_url
    link.click()
    wait_for_neutral_page(driver, exit_url)


@pytest.mark.parametrize("path, page", PUBLIC_PAGES)
def test_quick_exit_by_escape_leaves_no_way_back(make_driver, app, exit_url, path, page):
    driver = make_driver(1280, 900)
    app.open(driver, path, page)
    exited = driver.current_url
    ActionChains(driver).send_keys(Keys.ESCAPE).perform()
    wait_for_neutral_page(driver, exit_url)

    # location.replace: the exited page is no longer in the history.
    driver.back()
    assert driver.current_url != exited, "Back returned to the page that was exited"


@pytest.mark.parametrize("path, page", PUBLIC_PAGES)
def test_public_page_layout(make_driver, app, path, page):
    driver = make_driver(390, 844)
    app.open(driver, path, page)
    app.check_layout(driver, page)
