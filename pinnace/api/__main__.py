"""``python -m pinnace.api``: the same as ``pinnace run api``."""

import sys

from pinnace.cli import main

sys.exit(main(["run", "api", *sys.argv[1:]]))
