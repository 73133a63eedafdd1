"""The README's run command, as a newcomer uses it: `make run`, sign in, file a ticket, stop.

    python3 .ci/newcomer_run.py CLONE_DIR PORT

Starts `make run PORT=PORT` in a fresh clone (no service variable set), waits for the printed
address to answer, signs in through the real login form with the first requester account the
command printed, files a ticket by choosing categories as the form offers them, checks that the
email printed for it links to the server on that port, and stops the server. Standard library
only: it runs before the clone's virtualenv exists. Every wait is bounded.
"""

from __future__ import annotations

import html
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "SITE_URL", "CI")
START_TIMEOUT = 600  # the first run creates the virtualenv and installs the dependencies
CATEGORY_CHOICE = r'type="radio" name="category" id="category-(?!self)[^"]*" value="([^"]+)"'
ACCOUNT_LINE = re.compile(r"^\s+(\S+@\S+)\s+(\S+)\s+requester\b", re.MULTILINE)


def wait_until(condition, timeout: float, what: str, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise SystemExit(f"FAILED: {what} within {timeout:.0f} s")


class Browser:
    """Cookies, CSRF and redirects, as a browser posts a form."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.base_url + path, timeout=30) as response:
            return response.geturl(), response.read().decode()

    def post(self, path: str, fields: dict[str, str], page: str) -> tuple[str, str]:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            raise SystemExit(f"FAILED: no CSRF token in the form of {path}")
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), **fields})
        request = urllib.request.Request(  # noqa: S310 - a loopback http address
            self.base_url + path,
            data=data.encode(),
            headers={"Referer": self.base_url + path},
        )
        with self.opener.open(request, timeout=30) as response:
            return response.geturl(), response.read().decode()


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def file_a_ticket(browser: Browser) -> int:
    """Chooses the first category offered at each step until the ticket form shows."""
    query = ""
    for _step in range(6):
        _url, page = browser.get(f"/tickets/new/{query}")
        if 'name="subject"' in page:
            slug = re.search(r'name="category" value="([^"]+)"', page).group(1)
            url, page = browser.post(
                "/tickets/new/",
                {
                    "category": slug,
                    "subject": "Imprimante du bâtiment B en panne",
                    "description": "Elle affiche « bourrage papier » depuis ce matin.",
                },
                page,
            )
            created = re.search(r"/tickets/(\d+)/created/", url)
            if created is None:
                raise SystemExit(f"FAILED: filing the ticket ended on {url}")
            return int(created.group(1))
        values = re.findall(
            r'type="radio" name="category" id="category-(?!self)[^"]*" value="([^"]+)"', page
        )
        if not values:
            raise SystemExit("FAILED: the category step offers no category")
        parent = re.search(r'name="parent" value="([^"]+)"', page)
        params = {"category": values[0], "next": "1"}
        if parent:
            params["parent"] = parent.group(1)
        query = "?" + urllib.parse.urlencode(params)
    raise SystemExit("FAILED: no ticket form after six category steps")


def main() -> None:
    clone, port = Path(sys.argv[1]).resolve(), int(sys.argv[2])
    base_url = f"http://127.0.0.1:{port}"
    environment = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    log_path = clone / "make-run.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(  # noqa: S603
            ["make", "run", f"PORT={port}"],  # noqa: S607
            cwd=clone,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        started = time.monotonic()
        wait_until(
            lambda: server.poll() is not None or answers(base_url + "/accounts/login/"),
            START_TIMEOUT,
            f"{base_url} answering",
            interval=1,
        )
        if server.poll() is not None:
            raise SystemExit(f"FAILED: make run exited with {server.returncode}")
        print(f"make run answered after {time.monotonic() - started:.0f} s")
        output = log_path.read_text()
        if f"Helpdesk: {base_url}/" not in output:
            raise SystemExit("FAILED: make run did not print the address it serves")
        account = ACCOUNT_LINE.search(output)
        if account is None:
            raise SystemExit("FAILED: make run printed no requester account")
        email, password = account.groups()

        browser = Browser(base_url)
        _url, page = browser.get("/accounts/login/")
        url, page = browser.post("/accounts/login/", {"login": email, "password": password}, page)
        if "/accounts/login/" in url:
            raise SystemExit(f"FAILED: signing in as {email} stayed on the login page")
        print(f"signed in as {email} through the login form, landed on {url}")
        pk = file_a_ticket(browser)
        _url, page = browser.get(f"/tickets/{pk}/")
        if "Imprimante du bâtiment B en panne" not in html.unescape(page):
            raise SystemExit(f"FAILED: ticket #{pk}'s page does not show its subject")
        print(f"filed ticket #{pk}")
        link = f"{base_url}/tickets/{pk}/"
        wait_until(lambda: link in log_path.read_text(), 30, f"an email linking to {link}")
        print(f"the printed email links to {link}")
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=15)
    print("make run: served, signed in, filed a ticket, stopped")


if __name__ == "__main__":
    main()
