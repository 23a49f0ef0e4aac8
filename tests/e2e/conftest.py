"""Fixtures of the end-to-end suite: a real server and headless Debian Chromium.

`live_site` serves the project the way `make run` does (gunicorn, local settings, SQLite,
reference data loaded) from a throw-away directory, so the tests never touch `var/`.
`browser` drives Debian's `/usr/bin/chromium` through Playwright: Playwright's own
browser downloads are never used. Everything here talks to 127.0.0.1 only, and `page`
fails a test whose page asks anything of another host (no third-party requests).

The tests need no Django database: pytest-django stays active for the rest of the suite
but these tests never request `db`.
"""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking switches Chromium calls Google's services at start.
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 900}
LOCAL_HOST = "127.0.0.1"
SERVER_START_TIMEOUT = 60  # seconds until /healthz must answer 200
SCREENSHOT_DIR = REPO_ROOT / "test-results" / "screenshots"


def _e2e_required() -> bool:
    return os.environ.get("E2E_REQUIRED") == "1" or os.environ.get("CI") == "true"


@pytest.fixture(scope="session", autouse=True)
def _chromium_available() -> None:
    """Skip the suite without Debian's Chromium, except in CI where that is an error."""
    if os.access(CHROMIUM, os.X_OK):
        return
    reason = f"{CHROMIUM} not found: install Debian's chromium package (apt-get install chromium)"
    if _e2e_required():
        pytest.fail(f"{reason}; end-to-end tests are required (E2E_REQUIRED=1 or CI=true)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOCAL_HOST, 0))
        return sock.getsockname()[1]


def _site_environment(var_dir: Path) -> dict[str, str]:
    """`make run`'s environment, pinned so that a developer's `.env` cannot change it.

    Real variables win over `.env`, so empty values here switch off what a `.env` might
    set: `DATABASE_URL` (always the embedded SQLite) and map tiles (a third-party host).
    """
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        VILLES2_VAR_DIR=str(var_dir),
        STATIC_ROOT=str(var_dir / "static"),
        MEDIA_ROOT=str(var_dir / "media"),
        DATABASE_URL="",
        DEBUG="0",
        ALLOWED_HOSTS=LOCAL_HOST,
        MAP_TILE_URL="",
        LOGIN_FAILURE_LIMIT="5",
        LOGIN_LOCKOUT_MINUTES="15",
        PYTHONUNBUFFERED="1",
    )
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    command = [sys.executable, "manage.py", *args]
    result = subprocess.run(  # noqa: S603 (fixed command line, no shell)
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        pytest.fail(
            f"`manage.py {' '.join(args)}` failed with exit code {result.returncode}:\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}",
            pytrace=False,
        )


def _wait_for_health(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (local http)
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    state = (
        f"exited with code {server.returncode}"
        if server.poll() is not None
        else f"no 200 within {SERVER_START_TIMEOUT} s"
    )
    pytest.fail(f"gunicorn {state} at {url}; log:\n{log.read_text()[-5000:]}", pytrace=False)


# The secret of each test account's authenticator app, and the time step of the last code
# given (a code works once), by user name: this process's accounts only.
_APP_SECRETS: dict[str, str] = {}
_LAST_STEPS: dict[str, int] = {}
# Backup codes of each test account, for a sign-in when both codes the server would
# accept now (this 30 seconds' and the next) have been used already: no waiting.
_BACKUP_CODES: dict[str, list[str]] = {}


def create_staff_account(
    var_dir: Path,
    username: str,
    role: str,
    *,
    first_name: str = "",
    then: str = "",
    app: bool = True,
) -> str:
    """A staff account in `role`'s group on the served site; its password is returned.
    With `app`, an authenticator app is set up for it (`sign_in` gives its codes);
    without, the account sets one up at its first sign-in. `then`: more code for the same
    `manage.py shell` (it sees `user`)."""
    password = secrets.token_urlsafe(16)
    env = _site_environment(var_dir)
    env["E2E_STAFF_PASSWORD"] = password
    code = (
        "import os\n"
        "from django.contrib.auth import get_user_model\n"
        "from django.contrib.auth.models import Group\n"
        f"user = get_user_model().objects.create_user({username!r}, "
        f"password=os.environ['E2E_STAFF_PASSWORD'], is_staff=True, first_name={first_name!r}, "
        "last_name='Essai')\n"
        f"user.groups.add(Group.objects.get(name={role!r}))\n"
    )
    if app:
        env["E2E_APP_SECRET"] = _APP_SECRETS[username] = secrets.token_hex(20)
        _BACKUP_CODES[username] = [secrets.token_hex(4) for _ in range(20)]
        env["E2E_BACKUP_CODES"] = ",".join(_BACKUP_CODES[username])
        code += (
            "from django_otp.plugins.otp_static.models import StaticDevice\n"
            "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
            "TOTPDevice.objects.create(user=user, name='app', confirmed=True, "
            "key=os.environ['E2E_APP_SECRET'])\n"
            "backup = StaticDevice.objects.create(user=user, name='backup codes')\n"
            "for token in os.environ['E2E_BACKUP_CODES'].split(','):\n"
            "    backup.token_set.create(token=token)\n"
        )
    _manage(env, "shell", "--no-imports", "-c", code + then)
    return password


def app_code(secret_hex: str, *, account: str = "") -> str | None:
    """The code an authenticator app holding this secret shows. For `account`, never a
    time step already used: this 30 seconds' code, else the next one (the server accepts
    one step ahead); None when both were used."""
    from django_otp.oath import TOTP

    now = int(time.time()) // 30
    step = max(now, _LAST_STEPS.get(account, -1) + 1)
    if step > now + 1:
        return None
    _LAST_STEPS[account] = step
    totp = TOTP(bytes.fromhex(secret_hex))
    totp.time = step * 30
    return f"{totp.token():06d}"


def sign_in(page, username: str, password: str, path: str) -> None:
    """Open `path` of the site, signed in through the login page it leads to and the
    second step (the code of the account's app)."""
    page.goto(path)
    assert urlsplit(page.url).path == "/gestion/login/"
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("input[type=submit], button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/gestion/double-authentification/\?next="))
    code = app_code(_APP_SECRETS[username], account=username) or _BACKUP_CODES[username].pop()
    page.locator("#id_code").fill(code)
    page.locator("#login-form input[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(path) + "$"))


@pytest.fixture(scope="session")
def live_site_var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The served site's data directory (its SQLite database is `villes2.sqlite3`)."""
    return tmp_path_factory.mktemp("e2e-site")


@pytest.fixture(scope="session")
def live_site(live_site_var_dir: Path) -> Iterator[str]:
    """Base URL (no trailing slash) of the site served by gunicorn on a free local port."""
    var_dir = live_site_var_dir
    env = _site_environment(var_dir)
    _manage(env, "migrate", "--noinput")
    _manage(env, "load_reference_data")
    # Invented catalogue records, for the documentation pages (data/README.md).
    _manage(env, "import_documents", str(Path(__file__).parent / "data" / "catalogue-test.csv"))
    # Invented or synthetic records, in one process (data/README.md): agenda events that
    # take registrations; experience records (ids 1 to 3); observatory values and a scheme
    # dashboard (id 2); the desk's requests, FAQ entries and interventions.
    scripts = [
        str(Path(__file__).parent / "data" / name)
        for name in (
            "agenda_test_data.py",
            "practices_test_data.py",
            "observation.py",
            "inquiries_test_data.py",
            "interventions_test_data.py",
        )
    ]
    _manage(
        env,
        "shell",
        "--no-imports",
        "-c",
        f"import runpy\nfor script in {scripts!r}:\n    runpy.run_path(script)",
    )
    _manage(env, "collectstatic", "--noinput")

    port = _free_port()
    base_url = f"http://{LOCAL_HOST}:{port}"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = var_dir / "gunicorn.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen(  # noqa: S603 (fixed command line, no shell)
            [
                str(gunicorn),
                "config.wsgi",
                "--bind",
                f"{LOCAL_HOST}:{port}",
                "--workers",
                "2",
                "--access-logfile",
                "-",
                # The control socket lives in ~/.gunicorn: concurrent instances would clash.
                "--no-control-socket",
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_health(f"{base_url}/healthz", server, log)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# Package scope, not session: while Playwright's sync API is alive an asyncio loop runs in
# the main thread, and Django refuses ORM calls from it (SynchronousOnlyOperation). Closing
# Playwright after the last end-to-end test keeps the database tests that follow working.
@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about"}:
        return True
    return parts.hostname == LOCAL_HOST


@pytest.fixture
def new_page(browser, live_site):
    """Factory of pages in fresh contexts (`new_page(java_script_enabled=False)`).

    Every request is recorded; at teardown the test fails if one went to a host other than
    127.0.0.1, if a page raised an uncaught JavaScript error, or if the browser blocked
    something under the Content Security Policy.
    """
    contexts = []
    requests: list[str] = []
    errors: list[str] = []

    def make(**context_options):
        context = browser.new_context(
            viewport=VIEWPORT, base_url=live_site, locale="fr-FR", **context_options
        )
        context.set_default_timeout(10_000)
        context.on("request", lambda request: requests.append(request.url))
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        page.on(
            "console",
            lambda message: (
                errors.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return page

    yield make

    for context in contexts:
        context.close()
    foreign = sorted({url for url in requests if not _is_local(url)})
    assert not foreign, "requests to hosts other than 127.0.0.1:\n" + "\n".join(foreign)
    assert not errors, "JavaScript errors or CSP violations:\n" + "\n".join(errors)


@pytest.fixture
def page(new_page):
    """A 1280 by 900 page in a fresh browser context (see `new_page` for what it checks)."""
    return new_page()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR
