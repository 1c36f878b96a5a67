#!/usr/bin/env python3
"""The course on a real JupyterHub on this machine: `make hub` and `make hub-clean`.

    python3 scripts/hub.py start [--port 8000]   # as root; Ctrl-C stops it
    python3 scripts/hub.py clean                 # removes what start made

`start` sets up the demo site (scripts/hub_site.py says what it creates: the servers'
environment, an instructor and two students as Unix accounts with 0700 homes, the exchange,
the system-wide nbgrader configuration, the instructor's clone of the course with its lessons
in the gradebook), starts JupyterHub with scripts/jupyterhub_config.py, waits for its login
page and prints the address and the accounts. Ctrl-C stops the hub, the proxy and every
user's server. `clean` removes the accounts with their home folders, the exchange, the
site's folder and the servers' environment. Standard library only.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hub_site  # noqa: E402 -- a sibling script, found through the line above

CONFIG = Path(__file__).resolve().with_name("jupyterhub_config.py")
SYSTEM_PYTHON = "/usr/bin/python3"


def say(message: str) -> None:
    print(f"make hub: {message}", file=sys.stderr, flush=True)


def login_url(site: hub_site.Site) -> str:
    return f"http://127.0.0.1:{site.port}/hub/login"


def wait_for_login_page(site: hub_site.Site, hub: subprocess.Popen, seconds: float) -> None:
    """Until the login page answers 200 through the proxy; stop if the hub exits first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if hub.poll() is not None:
            raise hub_site.SetupError(
                f"JupyterHub exited with status {hub.returncode} before its login page "
                f"answered; its log is {site.state / 'jupyterhub.log'}.")
        try:
            with urllib.request.urlopen(login_url(site), timeout=2) as page:
                if page.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise hub_site.SetupError(f"the login page did not answer within {seconds:.0f} s; see "
                              f"{site.state / 'jupyterhub.log'}.")


def port_in_use(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def start_hub(site: hub_site.Site) -> subprocess.Popen:
    """JupyterHub as root, in its own session (so Ctrl-C reaches it once, through us)."""
    busy = [p for p in (site.port, site.port + 1, site.port + 2) if port_in_use(p)]
    if busy:
        raise hub_site.SetupError(
            f"port {busy[0]} on 127.0.0.1 is taken (the hub needs {site.port} to "
            f"{site.port + 2}): stop what uses it, or give another port (make hub PORT=N).")
    log = open(site.state / "jupyterhub.log", "ab")
    env = {"PATH": f"{hub_site.ENV}/bin:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
           "RNNCOURSE_HUB_SITE": str(site.root / "site.json")}
    return subprocess.Popen([str(hub_site.ENV / "bin" / "jupyterhub"), "-f", str(CONFIG)],
                            cwd=site.state, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def banner(site: hub_site.Site, setup: float, hub: float) -> str:
    url = f"http://127.0.0.1:{site.port}"
    width = max(len(name) for name in site.accounts)
    lines = [f"The course's JupyterHub is up at {url}",
             f"(set-up {setup:.1f} s, then its login page answered {hub:.1f} s after it started)",
             "Accounts (user / password):"]
    for name in site.accounts:
        role = "instructor" if name == site.instructor else "student"
        lines.append(f"  {name:<{width}} / {site.passwords[name]:<16} {role}")
    lines += [f"The formgrader opens in its own tab: {url}/user/{site.instructor}/formgrader",
              f"The instructor's course: {site.course}; the exchange: {site.exchange}",
              f"Log: {site.state / 'jupyterhub.log'}. Ctrl-C stops the hub and every server."]
    return "\n".join(lines)


def stop(hub: subprocess.Popen, seconds: float = 30) -> int:
    """Ask JupyterHub to stop (it stops the proxy and the servers), then make sure."""
    if hub.poll() is None:
        hub.send_signal(signal.SIGINT)
        try:
            hub.wait(seconds)
        except subprocess.TimeoutExpired:
            os.killpg(hub.pid, signal.SIGKILL)
            hub.wait()
    return hub.returncode


def start(site: hub_site.Site, python: str) -> int:
    # Ctrl-C stops the hub, even where this was started with SIGINT ignored (in background).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    began = time.monotonic()
    hub_site.set_up(site, python, say)
    started = time.monotonic()
    hub = start_hub(site)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True) or stop(hub))
    try:
        wait_for_login_page(site, hub, 120)
        print(banner(site, started - began, time.monotonic() - started), flush=True)
        while hub.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    except hub_site.SetupError:
        stop(hub)
        raise
    status = stop(hub)
    say("the hub, its proxy and every user's server have stopped")
    return 0 if stopping or status in (0, -signal.SIGINT, 130) else status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["start", "clean"])
    parser.add_argument("--port", type=int, default=None,
                        help="the hub's port on 127.0.0.1 (it also takes the next two)")
    parser.add_argument("--site", choices=["demo", "test"], default="demo",
                        help=argparse.SUPPRESS)
    parser.add_argument("--keep-env", action="store_true",
                        help="clean: keep the servers' environment (a cache)")
    args = parser.parse_args(argv)
    site = hub_site.DEMO if args.site == "demo" else hub_site.TEST
    if args.port:
        site = hub_site.Site(**{**site.__dict__, "port": args.port})
    python = os.environ.get("HUB_PYTHON") or SYSTEM_PYTHON
    try:
        if args.action == "clean":
            if os.geteuid() != 0:
                raise hub_site.SetupError("removing accounts needs root: `sudo make hub-clean`")
            hub_site.remove(site, args.keep_env, say)
            return 0
        return start(site, python)
    except hub_site.SetupError as err:
        print(f"\nmake hub: {err}\n", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
