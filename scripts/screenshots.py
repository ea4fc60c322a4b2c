"""Take screenshots of portal and admin pages in headless Chromium (no browser download).

Usage: uv run python scripts/screenshots.py BASE_URL OUT_DIR EMAIL PASSWORD PATH [PATH ...]
Signs in through the portal's login first (when EMAIL is not empty), then saves one desktop
and one phone-sized PNG per path (the whole page, and `.top.png` for the first screenful),
and prints any console message (e.g. a Content-Security-Policy violation).
"""

import re
import sys
from pathlib import Path

from playwright.sync_api import ViewportSize, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SIZES: dict[str, ViewportSize] = {
    "desktop": {"width": 1366, "height": 900},
    "phone": {"width": 390, "height": 844},
}


def main(base: str, out: str, email: str, password: str, paths: list[str]) -> None:
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for size_name, viewport in SIZES.items():
            page = browser.new_page(viewport=viewport)
            page.on("console", lambda msg: print(f"console {msg.type}: {msg.text}"))
            if email:
                page.goto(f"{base}/accounts/login/")
                page.fill("input[name=login]", email)
                page.fill("input[name=password]", password)
                page.locator("form button[type=submit]").last.click()
                page.wait_for_load_state()
            for path in paths:
                page.goto(f"{base}{path}")
                name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
                target = out_dir / f"{name}-{size_name}.png"
                page.screenshot(path=str(target), full_page=True)
                page.screenshot(path=str(target.with_suffix(".top.png")))
                print(target)
            page.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
