"""The admin menu in Chromium, as each staff login of the demo sees it: every item (submenus
opened by clicking) opens a page that loads without an error. The broad crawl of every screen
with the test client is test_admin_crawl.py; this pass checks what people actually click."""

import pytest

from accounts.tests.test_admin_crawl import DEMO_STAFF

pytestmark = pytest.mark.browser


def menu_links(page) -> list[str]:
    """The sidebar's links, with each submenu opened in turn by clicking it."""
    links = set(page.eval_on_selector_all("a.sidebar-menu-item__link", "els => els.map(e => e.getAttribute('href'))"))
    triggers = page.locator("li.sidebar-sub-menu-item > button")
    for index in range(triggers.count()):
        triggers.nth(index).click()
        links |= set(
            page.eval_on_selector_all(
                ".sidebar-sub-menu-panel a.sidebar-menu-item__link", "els => els.map(e => e.getAttribute('href'))"
            )
        )
        triggers.nth(index).click()
    return sorted(link for link in links if link and link.startswith("/admin/"))


def test_every_staff_login_opens_each_item_of_its_admin_menu_in_chromium(demo_server, chromium, sign_in):
    from conftest import PageRecorder

    base, password = demo_server.url, demo_server.staff_login[1]
    problems, opened = [], {}
    for role, email in DEMO_STAFF.items():
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        recorder = PageRecorder(page)
        sign_in(page, base, email, password)
        page.goto(base + "/admin/")
        assert page.url == base + "/admin/", f"{role} did not reach the admin: {page.url}"
        links = menu_links(page)
        opened[role] = links
        for link in links:
            response = page.goto(base + link)
            status = response.status if response else None
            if status != 200 or "/admin/login/" in page.url:
                problems.append(f"{role:12} {link}: {status} at {page.url}")
            elif page.locator("text=Internal server error").count() or page.locator(".messages .error").count():
                problems.append(f"{role:12} {link}: shows an error")
        problems.extend(f"{role:12} console: {error}" for error in recorder.console_errors)
        context.close()
    assert not problems, "\n".join(problems)
    # Each login's menu differs by role, and each holds what that role is for.
    assert "/admin/snippets/" in opened["superuser"]
    assert "/admin/certificates/find/" in opened["membership"]
    assert "/admin/training/cohorts/" in opened["trainer"]
    assert "/admin/events/" in opened["event_staff"]
    assert "/admin/finance/orders/" in opened["finance"]
    assert "/admin/images/" in opened["editor"] and "/admin/finance/orders/" not in opened["editor"]
