"""``python build.py [OPTIONS]`` is exactly ``worksheets build [OPTIONS]``."""

import sys

from worksheets.cli import cli

if __name__ == "__main__":
    cli(["build", *sys.argv[1:]], prog_name="build.py")
