"""JupyterHub's configuration for the course's hub (`make hub`, tests/test_hub.py).

Read by `jupyterhub -f scripts/jupyterhub_config.py`, started by scripts/hub.py, which names
the site it set up (accounts, folders, ports) in RNNCOURSE_HUB_SITE, a JSON file only root
reads. What it sets, and why:

* the accounts are real Unix users; a small authenticator checks the site's fixed demo
  passwords (the accounts themselves have no Unix password, so nobody can log in to the machine
  with them);
* every server runs `jupyterhub-singleuser` from the servers' environment (a venv of Debian's
  Python holding the course package), as its user, from the user's home folder;
* a spawner hook gives each server its configuration path: the hub's system-wide folder (the
  exchange) for everyone, and before it, for students only, a folder that disables and locks
  the formgrader, create-assignment and course-list extensions and turns the formgrader's server
  extension off. The instructor keeps nbgrader's defaults, every tool on;
* the formgrader opens in its own browser tab (JupyterHub >= 4.1 forbids framing a server's
  pages, so JupyterLab's Formgrader panel stays blank, nbgrader#1870); its links to the course's
  folders and notebooks are absolute (`/tree/...`, `/notebooks/...`), without the
  `/user/<name>/` prefix, so the hub sends them to the signed-in user's JupyterLab.
"""

import hmac
import json
import os

from jupyterhub.auth import Authenticator
from jupyterhub.handlers import BaseHandler
from jupyterhub.utils import url_path_join
from tornado import web

c = get_config()  # noqa: F821 -- injected by JupyterHub when it loads this file

with open(os.environ["RNNCOURSE_HUB_SITE"], encoding="utf-8") as file:
    site = json.load(file)
PASSWORDS = site["passwords"]


class DemoPasswords(Authenticator):
    """The site's accounts, each with its fixed demo password (printed by `make hub`)."""

    async def authenticate(self, handler, data):
        name, given = data.get("username", ""), data.get("password", "")
        expected = PASSWORDS.get(name)
        if expected is not None and hmac.compare_digest(given.encode(), expected.encode()):
            return name
        return None


class FormgraderLink(BaseHandler):
    """/hub/tree/PATH, /hub/notebooks/PATH, /hub/edit/PATH: the formgrader's links, which the
    hub's prefix redirect sends here, opened in the signed-in user's JupyterLab."""

    @web.authenticated
    def get(self, _kind, path):
        self.redirect(url_path_join(self.current_user.url, "lab", "tree", path))


def per_user_config(spawner):
    """The configuration path and programs of one user's server."""
    paths = [site["etc"]]
    if spawner.user.name != site["instructor"]:
        paths.insert(0, site["students_etc"])
    spawner.environment.update({
        "JUPYTER_CONFIG_PATH": os.pathsep.join(paths),
        "PATH": f"{site['env']}/bin:/usr/local/bin:/usr/bin:/bin",
    })


c.JupyterHub.bind_url = f"http://127.0.0.1:{site['port']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{site['port'] + 1}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{site['port'] + 2}"
c.ConfigurableHTTPProxy.command = [site["proxy"]]
c.ConfigurableHTTPProxy.pid_file = os.path.join(site["state"], "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{site['state']}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = os.path.join(site["state"], "cookie_secret")
c.JupyterHub.pid_file = os.path.join(site["state"], "jupyterhub.pid")
c.JupyterHub.authenticator_class = DemoPasswords
c.Authenticator.allowed_users = set(PASSWORDS)
c.JupyterHub.extra_handlers = [(r"/(tree|notebooks|edit)/(.*)", FormgraderLink)]
c.JupyterHub.cleanup_servers = True

c.Spawner.cmd = [f"{site['env']}/bin/jupyterhub-singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.pre_spawn_hook = per_user_config
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
