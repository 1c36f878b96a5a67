"""The grading sandbox: each submission's kernel in a bubblewrap box of its own.

`JudgedExecute` asks `kernel_manager()` for a kernel manager whose kernel spec wraps the
student's kernel in bubblewrap (`bwrap`). Inside the box the kernel sees:

* the system folders and the Python environment, read-only;
* `/submission`: a private, writable copy of its own autograded folder (its cwd), thrown away
  after grading, and a private `/tmp` and home folder;
* nothing else: no course folder (`source/`, `release/`, `solutions/`, the gradebook, the
  config), no other student, no instructor's home, no network (a network namespace of its own,
  reached by Jupyter's `ipc` transport through a private folder), no process outside the box
  (a PID namespace of its own: whatever it starts dies with it).

The box enforces three of the grading limits (rnncourse.engine.limits) from outside the kernel:
memory, processes and threads, and bytes per file written. Run as root, the kernel also drops to
a user id of its own, so the process limit counts its processes alone and it cannot read files
only root may read.

No bubblewrap, or a kernel that cannot make namespaces: grading stops before any student code
runs, with `SandboxUnavailable` saying what is missing. `run_student_code_unsandboxed = True`
switches the sandbox off, for trusted code only.
"""

from __future__ import annotations

import ast
import itertools
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from jupyter_client.kernelspec import KernelSpec
from traitlets import Bool, Unicode
from traitlets.config import LoggingConfigurable

from .channel import IMPORTS_ENV, TOKEN_ENV, UID_ENV
from .limits import GradingLimits
from .scratch import ScratchFolder

KERNEL_NAME = "rnncourse-grading"
KERNEL = Path(__file__).with_name("student_kernel.py")
INSIDE = "/opt/rnncourse"
KERNEL_INSIDE = f"{INSIDE}/student_kernel.py"
# The kernel's files, mounted read-only in the box: the student kernel, the channel and the
# plain-data codec it shares with the grader, and its layer watch.
KERNEL_FILES = (KERNEL, KERNEL.with_name("channel.py"), KERNEL.with_name("plain_data.py"),
                KERNEL.with_name("layer_watch.py"))
INSTALL_HINT = (
    "install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`; Fedora: "
    "`dnf install bubblewrap`) on a Linux machine whose kernel allows namespaces; on a "
    "machine where that is impossible (macOS, a locked-down container) and only for code you "
    "trust, set `c.GradingSandbox.run_student_code_unsandboxed = True` in nbgrader_config.py")

# Environment the kernel gets; everything else of the grader's environment stays outside.
PASSED_ENV = ("NBGRADER_EXECUTION", "TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS",
              "PYTHONWARNINGS", "OMP_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
              "MKL_NUM_THREADS", TOKEN_ENV, IMPORTS_ENV, "LANG")
_uids = itertools.count()


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot be made on this machine; nothing of the student's has run."""


class GradingSandbox(LoggingConfigurable):
    """Settings of the grading sandbox (its limits are GradingLimits', rnncourse.engine.limits)."""

    run_student_code_unsandboxed = Bool(
        False, help="Run submissions without the sandbox, with the grader's own rights. Only "
        "for code you trust: a submission can then read and change the whole course.",
    ).tag(config=True)
    box_root = Unicode(
        "/var/tmp", help="Folder in which each kernel's private folders are made (and removed "
        "after grading); it must not be inside the course folder.",
    ).tag(config=True)
    def check(self) -> None:
        """Raise SandboxUnavailable unless a box can be made here (a quick trial run)."""
        if self.run_student_code_unsandboxed:
            return
        if sys.platform != "linux":
            raise SandboxUnavailable(f"the grading sandbox needs Linux, not {sys.platform}: "
                                     + INSTALL_HINT)
        bwrap = shutil.which("bwrap")
        if bwrap is None:
            raise SandboxUnavailable("bubblewrap (`bwrap`) is not installed: " + INSTALL_HINT)
        trial = [bwrap, *namespace_args(), "--ro-bind", "/", "/", "--proc", "/proc",
                 "--dev", "/dev", "true"]
        done = subprocess.run(trial, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise SandboxUnavailable(
                f"bubblewrap cannot make a sandbox here ({done.stderr.strip() or 'exit code '}"
                f"{'' if done.stderr.strip() else done.returncode}): user, network or PID "
                "namespaces are disabled; " + INSTALL_HINT)


def require_sandbox(config) -> None:
    """`SandboxUnavailable`, saying what is missing and how to fix it, unless the grading
    sandbox the course's nbgrader `config` asks for can be made on this machine. Every place
    that grades asks this one function before any student code runs."""
    GradingSandbox(config=config).check()


def stop_autograde_without_sandbox(config) -> None:
    """Stop an `nbgrader autograde` run before it starts when no sandbox can be made:
    nbgrader_config.py calls this; it exits with the reason and how to fix it."""
    try:
        require_sandbox(config)
    except SandboxUnavailable as err:
        print(f"[rnncourse] grading stopped before running any submission: {err}",
              file=sys.stderr)
        raise SystemExit(2) from None


def namespace_args() -> list[str]:
    unshare = ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
               "--unshare-cgroup-try"]
    if os.geteuid() != 0:
        unshare.append("--unshare-user")
    return [*unshare, "--die-with-parent", "--new-session"]


def _parents(path: Path, seen: set[Path]) -> list[str]:
    """bwrap arguments making the parent folders of `path` traversable by any user."""
    args: list[str] = []
    for parent in reversed(path.parents):
        if parent == Path("/") or parent in seen:
            continue
        seen.add(parent)
        args += ["--perms", "0755", "--dir", str(parent)]
    return args


def bwrap_argv(box: Path, env: dict[str, str], uid: int | None) -> list[str]:
    """The command that starts the student's kernel in the box `box` (made by `make_box`)."""
    args = [shutil.which("bwrap") or "bwrap", *namespace_args()]
    for name in ("usr", "etc", "opt/conda"):
        if Path("/", name).is_dir() and not Path("/", name).is_symlink():
            args += ["--ro-bind", f"/{name}", f"/{name}"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64"):
        path = Path("/", name)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), f"/{name}"]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    args += [
        "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/dev/shm",
        "--bind", str(box / "tmp"), "/tmp",
        "--bind", str(box / "home"), "/home/student",
        "--bind", str(box / "work"), "/submission",
    ]
    # After /tmp: a Python environment that lives under /tmp stays visible.
    seen: set[Path] = set()
    for prefix in sorted({Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(),
                          Path(sys.prefix)}):
        if not any(str(prefix).startswith(f"/{n}/") for n in ("usr", "etc")):
            args += [*_parents(prefix, seen), "--ro-bind", str(prefix), str(prefix)]
    args += [
        *_parents(box / "run", seen), "--bind", str(box / "run"), str(box / "run"),
        "--perms", "0755", "--dir", INSIDE,
        *[arg for path in KERNEL_FILES
          for arg in ("--ro-bind", str(path), f"{INSIDE}/{path.name}")],
        "--chdir", "/submission", "--clearenv",
    ]
    kernel_env = {"HOME": "/home/student", "TMPDIR": "/tmp", "PATH": f"{sys.prefix}/bin:"
                  "/usr/local/bin:/usr/bin:/bin", "MPLCONFIGDIR": "/tmp/matplotlib",
                  "XDG_CACHE_HOME": "/tmp/cache", "IPYTHONDIR": "/tmp/ipython",
                  "PYTHONNOUSERSITE": "1"}
    kernel_env.update({k: v for k, v in env.items() if k in PASSED_ENV})
    if uid is not None:
        kernel_env[UID_ENV] = str(uid)
    for key, value in sorted(kernel_env.items()):
        args += ["--setenv", key, value]
    return [*args, "--", sys.executable, KERNEL_INSIDE, "-f", "{connection_file}"]


def make_box(root: str) -> tuple[ScratchFolder, int | None]:
    """A private folder for one kernel: work/, home/, tmp/ and run/ (the ipc sockets). Owned
    by this process (rnncourse.engine.scratch): if it is killed outright, the next run removes
    it."""
    os.makedirs(root, exist_ok=True)
    folder = ScratchFolder("rnncourse-box-", dir=root)
    box = folder.path
    uid = None
    if os.geteuid() == 0:
        uid = 200_000 + (os.getpid() * 64 + next(_uids)) % 1_000_000
    for name in ("work", "home", "tmp", "run"):
        (box / name).mkdir()
        if uid is not None and name != "run":
            os.chown(box / name, uid, uid)
    if uid is not None:
        os.chmod(box / "run", 0o777)
    return folder, uid


def limits_prefix(limits: GradingLimits) -> list[str]:
    """The launcher that sets the resource limits before bwrap starts, and ends (or never
    starts bwrap) when this grading process is gone."""
    return [sys.executable, "-m", "rnncourse.engine.sandbox_launch", f"--parent={os.getpid()}",
            f"--memory={limits.memory_limit}", f"--processes={limits.max_processes}",
            f"--file-bytes={limits.max_file_bytes}", "--"]


def imported_packages(sources: Iterable[str]) -> list[str]:
    """Top-level packages the course's own cells import, for the kernel to load first."""
    found: list[str] = []
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            for name in names:
                if name not in found:
                    found.append(name)
    return found


def kernel_manager(base, box: GradingSandbox, limits: GradingLimits, **kwargs):
    """A kernel manager (a subclass of `base`) for one sandboxed student kernel."""
    box.check()

    class SandboxedKernelManager(base):
        """Starts the student's kernel in a fresh box and throws the box away afterwards."""

        box: Path | None = None
        box_folder: ScratchFolder | None = None

        @property
        def kernel_spec(self):
            if self._kernel_spec is None:
                self._kernel_spec = KernelSpec(
                    argv=[sys.executable, KERNEL_INSIDE, "-f", "{connection_file}"],
                    display_name="Python 3 (grading)", language="python",
                    interrupt_mode="message", metadata={"debugger": False})
            return self._kernel_spec

        async def _async_pre_start_kernel(self, **kw):
            cwd = Path(kw.pop("cwd", None) or os.getcwd())
            env = dict(kw.get("env") or os.environ)
            if box.run_student_code_unsandboxed:
                self.box = None
                self.kernel_spec.argv = [sys.executable, str(KERNEL), "-f", "{connection_file}"]
                kw["cwd"] = str(cwd)
            else:
                self.box_folder, uid = make_box(box.box_root)
                self.box = self.box_folder.path
                # The submission's other files; not the notebook being graded, which holds
                # the hidden tests once nbgrader has put the course's cells back into it.
                shutil.copytree(cwd, self.box / "work", dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("*.ipynb"))
                if uid is not None:
                    for path in (self.box / "work").rglob("*"):
                        os.lchown(path, uid, uid)
                self.transport = "ipc"
                self.connection_file = str(self.box / "run" / "kernel.json")
                self.ip = str(self.box / "run" / "kernel-ipc")
                self.kernel_spec.argv = [*limits_prefix(limits),
                                         *bwrap_argv(self.box, env, uid)]
                kw["cwd"] = str(self.box)
            started = await super()._async_pre_start_kernel(**kw)
            if self.box is not None and uid is not None:
                os.chown(self.connection_file, uid, uid)
            return started

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            await super()._async_cleanup_resources(restart=restart)
            if self.box_folder is not None and not restart:
                self.box_folder.remove()
                self.box, self.box_folder = None, None

        # The async manager's public name is bound to the base class's coroutine: rebind it.
        cleanup_resources = _async_cleanup_resources

    return SandboxedKernelManager(kernel_name=KERNEL_NAME, **kwargs)
