#!/usr/bin/env python
"""Django's command-line utility for administrative tasks (same as the `thrive` command)."""

import sys

from thrive.cli import main

if __name__ == "__main__":
    sys.exit(main())
