"""Issue 7.6 in a real browser: the Content-Security-Policy blocks nothing the pages need.

A strict CSP that broke the language picker, htmx or the division picker would be switched off
by the first annoyed operator; headless Chromium shows no CSP violation and no script error on
the main pages, and the picker's inline handler (allowed by its hash) still switches language.
"""

import pytest

from conftest import NANSHAN_VILLAGE, make_user
from tests.e2e.conftest import CHROMIUM, PHONE, log_in, register_migrant

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]


def test_p5_csp_blocks_nothing_the_pages_use(new_page):
    """Issue 7.6: log in, home, person page, registration form with its picker, language."""

    alice = make_user("alice", "village_worker", NANSHAN_VILLAGE)
    person = register_migrant(alice, seq=321, name="陈晓燕")
    page = new_page(PHONE)
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    log_in(page, "alice")
    for url in ["/", f"/persons/{person.pk}/", "/account/emergency-access/", "/register/inflow/"]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
    page.locator("select[data-level='1']").first.select_option("51")  # the picker fetches
    page.wait_for_selector("select[data-level='2']")
    page.goto("/")
    page.select_option("footer select[name=language]", "en")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert violations == []
    assert page.js_errors == []
