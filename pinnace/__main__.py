import sys

from pinnace.cli import main

sys.exit(main())
