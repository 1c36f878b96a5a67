"""The judge, recording everything it compiles and runs, for the test that no student code does.

    python -m testing.judge_audit FILE

starts the judge (rnncourse.engine.judge) with Python's audit hooks installed, which see every
source it compiles and every code object it executes, and appends them to FILE as JSON lines,
with its builtins and environment variables (what appeared since it started) after every
request. A course uses it instead of the judge with `c.JudgedExecute.judge_command =
[sys.executable, "-m", "testing.judge_audit", FILE]`; tests/test_judge_isolation.py grades a
canary student so.
"""

from __future__ import annotations

import builtins
import json
import os
import sys
from collections.abc import Callable

from rnncourse.engine import judge


def audit(path: str) -> Callable[[dict], None]:
    """Record in `path` every piece of source this process compiles and every code object it
    executes (Python's audit hooks see all of them), so a test can show that no student code
    ever ran here. Returns what records the judge's own state at the end of each notebook."""
    log = open(path, "a", encoding="utf-8")
    start_builtins, start_env = set(dir(builtins)), set(os.environ)

    def hook(event: str, args: tuple) -> None:
        if event == "compile" and args:
            source = args[0]
            if isinstance(source, bytes):
                source = source.decode("utf-8", "replace")
            log.write(json.dumps({"event": "compile", "filename": str(args[1]),
                                  "source": source if isinstance(source, str) else None})
                      + "\n")
        elif event == "exec" and args and hasattr(args[0], "co_filename"):
            log.write(json.dumps({"event": "exec", "filename": args[0].co_filename}) + "\n")

    def state(message: dict) -> None:
        log.write(json.dumps({"event": "state", "after": message.op,
                              "builtins": sorted(set(dir(builtins)) - start_builtins),
                              "environ": sorted(set(os.environ) - start_env)}) + "\n")
        log.flush()

    sys.addaudithook(hook)
    return state


def main() -> None:
    judge.main(after=audit(sys.argv[1]))


if __name__ == "__main__":
    main()
