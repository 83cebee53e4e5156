"""Reaching the header's menus as a person does: open the phone's "Menu" when it is
shown, then the group a page is in, then the link (templates/base.html)."""

from __future__ import annotations

from playwright.sync_api import Locator, Page

GROUP_OF = {
    "Agenda": "Interviews",
    "Studies": "Interviews",
    "Hours": "Interviews",
    "Takeaways": "Research",
    "Maps": "Research",
    "Reports": "Research",
    "Templates": "Research",
    "Participants": "People",
    "Rewards": "People",
}
# Team, Profile & API, Mailbox (dev) and Log out sit in the workspace menu.
WORKSPACE_ITEMS = ("Team", "Profile & API", "Mailbox (dev)")


def _open(details: Locator) -> None:
    if not details.evaluate("d => d.open"):
        details.locator(":scope > summary").click()


def _settled(page: Page) -> None:
    """Wait for a signed-in page's header and stylesheet: whether the phone's Menu shows
    is the stylesheet's call, so it is decided on the loaded page, not one mid-navigation
    (where the Menu can vanish under the click)."""
    page.locator('nav[aria-label="Main"]').wait_for(state="attached")
    page.wait_for_load_state("load")


def open_menu(page: Page, group: str | None = None) -> Locator:
    """Open the phone's Menu (if it is folded) and the named group ("Interviews"; None:
    the workspace menu). Returns the group's list."""
    _settled(page)
    site_menu = page.locator("details.site-menu")
    if site_menu.locator(":scope > summary").is_visible():
        _open(site_menu)
    if group is None:
        details = page.locator(".nav-workspace > details")
    else:
        details = page.locator("details.nav-group").filter(
            has=page.locator(":scope > summary", has_text=group)
        )
    _open(details)
    return details.locator(":scope > ul")


def nav_link(page: Page, name: str) -> Locator:
    """The header's link to a page, made visible the way a person would."""
    if name == "Home":
        _settled(page)
        site_menu = page.locator("details.site-menu")
        if site_menu.locator(":scope > summary").is_visible():
            _open(site_menu)
    else:
        open_menu(page, None if name in WORKSPACE_ITEMS else GROUP_OF[name])
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)


def log_out(page: Page, name: str) -> None:
    """Log out from the workspace menu."""
    open_menu(page, None).get_by_role("button", name=f"Log out {name}").click()
