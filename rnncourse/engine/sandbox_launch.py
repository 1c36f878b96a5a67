"""Set the grading sandbox's resource limits, then start bubblewrap (see rnncourse.engine.sandbox).

    python -m rnncourse.engine.sandbox_launch --memory=BYTES --processes=N \
        --file-bytes=BYTES -- CMD...

Only the standard library: this runs once per graded notebook, before the kernel starts.
"""

import os
import resource
import sys


def main(argv: list[str]) -> None:
    split = argv.index("--")
    options = dict(arg.lstrip("-").split("=", 1) for arg in argv[:split])
    command = argv[split + 1:]
    for limit, key in ((resource.RLIMIT_DATA, "memory"), (resource.RLIMIT_NPROC, "processes"),
                       (resource.RLIMIT_FSIZE, "file-bytes")):
        value = int(options[key])
        resource.setrlimit(limit, (value, value))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
