"""The body map on its own page in Chromium, at a desktop's and a phone's size (anatomy's browser tests)."""
import pytest

from anatomy.tests.test_bodymap_navigation_browser import open_page


@pytest.fixture
def desktop(browser):
    context, page = open_page(browser, viewport={"width": 1280, "height": 1400})
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context, page = open_page(browser, viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    yield page
    context.close()
