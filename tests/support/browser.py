"""Debian's Chromium for the browser tests: found, or installed through apt-get once; and
the screenshots those tests keep.

Playwright drives it (`executable_path`); Playwright's own browser downloads are never
used. `make test` runs as root on CI and developer machines, where apt-get can install
the `chromium` package; anywhere it cannot, the browser tests are skipped with the reason.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
# Headless, and none of Chromium's own network traffic (the machine has no internet).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_TIMEOUT_SECONDS = 900
# Seconds a browser test waits on a plain HTTP call to the local stack.
HTTP_TIMEOUT = 10
LOCK_PATH = Path(tempfile.gettempdir()) / "loc8-chromium-install.lock"
LOG_PATH = Path(tempfile.gettempdir()) / "loc8-chromium-install.log"


@dataclass(frozen=True)
class Chromium:
    path: Path | None
    reason: str = ""


def find_or_install_chromium() -> Chromium:
    if CHROMIUM.exists():
        return Chromium(CHROMIUM)
    apt_get = shutil.which("apt-get")
    if apt_get is None:
        return Chromium(None, f"{CHROMIUM} is missing and apt-get is not available to install it")
    if os.geteuid() != 0:
        return Chromium(
            None, f"{CHROMIUM} is missing; install it with `sudo apt-get install chromium`"
        )
    # One installer at a time (pytest-xdist workers share the machine).
    with LOCK_PATH.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if CHROMIUM.exists():
            return Chromium(CHROMIUM)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        with LOG_PATH.open("w") as log:
            for command in ([apt_get, "update"], [apt_get, "install", "-y", "chromium"]):
                try:
                    finished = subprocess.run(  # noqa: S603 - fixed argv
                        command,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        env=env,
                        timeout=INSTALL_TIMEOUT_SECONDS,
                        check=False,
                    )
                except subprocess.TimeoutExpired:
                    return Chromium(None, f"`{' '.join(command)}` timed out; see {LOG_PATH}")
                if finished.returncode != 0:
                    tail = LOG_PATH.read_text(errors="replace").strip().splitlines()[-3:]
                    return Chromium(
                        None,
                        f"`{' '.join(command)}` failed ({finished.returncode}): "
                        f"{' / '.join(tail)}; see {LOG_PATH}",
                    )
    if CHROMIUM.exists():
        return Chromium(CHROMIUM)
    return Chromium(None, f"apt-get installed chromium but {CHROMIUM} is missing; see {LOG_PATH}")


class Screenshots:
    """Numbered full-page screenshots under artifacts/web/<test>/."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def take(self, page: Page, step: str, *, full_page: bool = True) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path
