"""A real headless browser for UI tests: Debian's Chromium driven by Playwright for Python.

Playwright's own browser download cannot work on a machine without internet, so the tests point
it at the system's Chromium (`apt-get install chromium`, done by `.ci/run`). Outside CI a machine
without Chromium skips these tests with the reason; in CI a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

CHROMIUM_FLAGS = [
    # As root in a container there is no user namespace for Chromium's sandbox.
    "--no-sandbox",
    "--disable-gpu",
    # No calls home: on a closed network they fail, many at a time, and slow every page.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def chromium_path() -> str:
    path = os.environ.get("ROYALEY_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: .ci/run installs Debian's chromium package")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return path


@contextmanager
def browser_page(width: int = 1600, height: int = 1000) -> Iterator:
    """A fresh page in a fresh headless Chromium (closed afterwards)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(60_000)
            yield page
        finally:
            browser.close()
