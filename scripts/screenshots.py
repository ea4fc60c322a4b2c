"""Take screenshots of portal and admin pages in headless Chromium (no browser download).

Usage: uv run python scripts/screenshots.py BASE_URL OUT_DIR EMAIL PASSWORD PATH [PATH ...]
Signs in through the portal's login first (when EMAIL is not empty), then saves one desktop
and one phone-sized PNG per path (the whole page, and `.top.png` for the first screenful),
and prints any console message (e.g. a Content-Security-Policy violation).

Staff accounts must use two-factor authentication in the admin: the script sets up TOTP when
the portal asks for it, keeps the secret in OUT_DIR/.totp-<email> and answers later prompts
with codes from it.
"""

import base64
import hashlib
import hmac
import re
import struct
import sys
import time
from pathlib import Path

from playwright.sync_api import Page, ViewportSize, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SIZES: dict[str, ViewportSize] = {
    "desktop": {"width": 1366, "height": 900},
    "phone": {"width": 390, "height": 844},
}


def totp(secret: str, *, at: float | None = None) -> str:
    """The RFC 6238 code (SHA-1, 30 s, 6 digits) an authenticator app would show now."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int((time.time() if at is None else at) // 30))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def fresh_totp(secret: str, used: Path) -> str:
    """A code from a 30-second window not used before: the portal refuses a code twice."""
    window = int(time.time() // 30)
    if used.exists() and int(used.read_text() or 0) >= window:
        time.sleep(30 - time.time() % 30 + 0.5)
        window = int(time.time() // 30)
    used.write_text(str(window))
    return totp(secret, at=window * 30)  # the window recorded, even if the clock moved on


def answer_two_factor(page: Page, secret_file: Path, password: str) -> None:
    """Get past the portal's security stops: confirm the password, set up TOTP or give a code."""
    for _step in range(3):
        if "/reauthenticate" in page.url:
            field, value = "password", password
        elif "/2fa/totp/activate" in page.url:
            secret = page.input_value("#authenticator_secret")
            secret_file.write_text(secret)
            field, value = "code", fresh_totp(secret, secret_file.with_suffix(".used"))
        elif "/2fa/authenticate" in page.url and secret_file.exists():
            secret = secret_file.read_text().strip()
            field, value = "code", fresh_totp(secret, secret_file.with_suffix(".used"))
        else:
            return
        page.fill(f"input[name={field}]", value)
        # The form with the field just filled: the page's other form is "Cancel".
        page.locator(f"form:has(input[name={field}]) button[type=submit]").first.click()
        page.wait_for_load_state()


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
            secret_file = out_dir / f".totp-{email}"
            answer_two_factor(page, secret_file, password)
            for path in paths:
                page.goto(f"{base}{path}")
                if "/2fa/" in page.url or "/reauthenticate" in page.url:
                    answer_two_factor(page, secret_file, password)
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
