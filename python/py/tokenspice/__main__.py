"""``python -m tokenspice ARGS``: the ``tsp`` command line inside Python, so
netlists with ``type = "python"`` agents run (``tsp`` itself has no Python):

    python -m tokenspice run netlists/python_trader.toml
"""

import sys

from . import _core


def main() -> int:
    return _core.cli(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
