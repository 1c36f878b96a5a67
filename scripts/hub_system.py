"""The system packages the course's JupyterHub needs (`make hub`), and its browser test.

    python3 scripts/hub_system.py [--for "make hub"] [--browser] [--optional] [--no-install]

`make hub` needs npm (to install configurable-http-proxy, the hub's proxy) and Debian's own
Python 3 with its venv module (the servers' environment is built from it, so that every user
can run it). The browser test (tests/test_hub.py) also needs Chromium and its driver, Debian's
`chromium` and `chromium-driver`; nothing downloads a browser at run time.

On Debian or Ubuntu, as root or with sudo, it installs what is missing with apt-get; elsewhere
it says what is missing and how to install it. With --optional (what `make test` passes: the
browser test skips itself without them) a missing package is a one-line note, not a stop.
Standard library only: it runs before any environment exists.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys

SYSTEM_PYTHON = "/usr/bin/python3"


def missing(browser: bool, python: str = SYSTEM_PYTHON) -> list[tuple[str, str]]:
    """(Debian package, what it is for) for each thing this machine lacks."""
    found = []
    if shutil.which("npm") is None:
        found.append(("npm", "npm (installs configurable-http-proxy, the hub's proxy)"))
    has_venv = os.access(python, os.X_OK) and subprocess.run(
        [python, "-c", "import ensurepip, venv"], capture_output=True).returncode == 0
    if not has_venv:
        found.append(("python3-venv", f"{python} with its venv module (the servers' "
                                      "environment is built from it)"))
    if browser:
        if shutil.which("chromium") is None:
            found.append(("chromium", "Chromium (the browser the hub's test drives)"))
        if shutil.which("chromedriver") is None:
            found.append(("chromium-driver", "chromedriver (Selenium's driver for Chromium)"))
    return found


def runner() -> tuple[str, ...] | None:
    """() as root, ("sudo",) where sudo works without a password, None otherwise."""
    if os.geteuid() == 0:
        return ()
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"],
                                               capture_output=True).returncode == 0:
        return ("sudo",)
    return None


def ensure(command: str, browser: bool, optional: bool, install: bool = True) -> str | None:
    """Install what is missing; return the paragraph to print when that cannot be done."""
    lacking = missing(browser)
    if not lacking:
        return None
    packages = [package for package, _ in lacking]
    how = runner() if install and shutil.which("apt-get") else None
    if how is not None:
        print(f"{command}: installing {' '.join(packages)} with apt-get", file=sys.stderr,
              flush=True)
        env = [*how, "env", "DEBIAN_FRONTEND=noninteractive"]
        try:
            subprocess.run([*env, "apt-get", "update", "-qq"], check=True,
                           stdout=subprocess.DEVNULL)
            subprocess.run([*env, "apt-get", "install", "-y", "-qq", *packages], check=True,
                           stdout=subprocess.DEVNULL)
        except subprocess.CalledProcessError as err:
            return (f"{command}: `{' '.join(err.cmd)}` failed with exit status "
                    f"{err.returncode}.")
        lacking = missing(browser)
        if not lacking:
            return None
    what = "; ".join(why for _, why in lacking)
    install_line = f"apt-get install {' '.join(package for package, _ in lacking)}"
    if optional:
        return (f"{command}: the JupyterHub browser test will skip itself: this machine lacks "
                f"{what} (install with `{install_line}` as root).")
    return (f"{command} needs {what}, and this machine does not have it. Install it with "
            f"`{install_line}` as root (Debian or Ubuntu) and run {command} again. Nothing was "
            "created or started.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--for", dest="command", default="make hub")
    parser.add_argument("--browser", action="store_true", help="also Chromium and its driver")
    parser.add_argument("--optional", action="store_true",
                        help="a missing package is a note, not a stop")
    parser.add_argument("--no-install", action="store_true", help="only say what is missing")
    args = parser.parse_args(argv)
    problem = ensure(args.command, args.browser, args.optional, not args.no_install)
    if problem is None:
        return 0
    print(problem if args.optional else f"\n{problem}\n", file=sys.stderr)
    return 0 if args.optional else 1


if __name__ == "__main__":
    sys.exit(main())
