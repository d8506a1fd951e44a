import os
import sys

# `python -m nginxlint` puts the working directory first on sys.path: a repository being linted that holds a
# `socket.so` or a `json.py` at its top would shadow the standard library. nginxlint is already imported by now,
# and its modules load through the package, so the entry can go.
if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from .cli import main  # noqa: E402  (after the path is safe)

sys.exit(main())
