"""Walking new pages in a browser test: each page checked with axe (no serious or critical
violation), then photographed at phone and desktop widths into the test's folder."""

from pathlib import Path

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


# Finite CSS animations and transitions still running (Wagtail's messages slide and fade in):
# axe measures colours as they are drawn, so a half-faded message reads as low contrast.
SETTLE = """() => Promise.race([
    Promise.all(document.getAnimations()
        .filter((a) => a.playState === "running" && a.effect
            && a.effect.getComputedTiming().iterations !== Infinity)
        .map((a) => a.finished.catch(() => null))),
    new Promise((resolve) => setTimeout(resolve, 3000)),
])"""


def settle(page) -> None:
    """Wait (at most 3 s) until the page's animations have finished."""
    page.evaluate(SETTLE)


class Walk:
    def __init__(self, axe, folder: Path):
        self.axe = axe
        self.folder = folder
        self.count = 0

    def check(self, page, name: str) -> None:
        page.wait_for_load_state()
        violations = self.axe(page)
        assert violations == [], f"{name}: {page.url}: {violations}"
        self.count += 1
        for label, size in (("390", PHONE), ("1280", DESKTOP)):
            page.set_viewport_size(size)
            page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}-{label}.png"), full_page=True)
        page.set_viewport_size(DESKTOP)
