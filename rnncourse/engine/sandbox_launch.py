"""Set the grading sandbox's resource limits, then start bubblewrap (see rnncourse.engine.sandbox).

    python -m rnncourse.engine.sandbox_launch --parent=PID --memory=BYTES --processes=N \
        --file-bytes=BYTES -- CMD...

Only the standard library: this runs once per graded notebook, before the kernel starts. It
ends with the grading process `PID` that started it (rnncourse.engine.parent_watch): bubblewrap's
`--die-with-parent` only watches a parent that is alive when bubblewrap starts, so a grading
process killed while this launcher was starting would otherwise leave a kernel behind.
"""

import os
import resource
import sys

from rnncourse.engine.parent_watch import ORPHANED, death_signal


def main(argv: list[str]) -> None:
    split = argv.index("--")
    options = dict(arg.lstrip("-").split("=", 1) for arg in argv[:split])
    command = argv[split + 1:]
    death_signal()  # kept across exec: bubblewrap is killed with its parent too
    if "parent" in options and os.getppid() != int(options["parent"]):
        sys.exit(ORPHANED)  # the grading process is gone already: start nothing
    for limit, key in ((resource.RLIMIT_DATA, "memory"), (resource.RLIMIT_NPROC, "processes"),
                       (resource.RLIMIT_FSIZE, "file-bytes")):
        value = int(options[key])
        resource.setrlimit(limit, (value, value))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
