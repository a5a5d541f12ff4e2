"""Runs deploy/local/xzstack's command line (see `deploy/local/stack --help`).

deploy/local is put on sys.path here rather than through PYTHONPATH, so the processes the
stack starts (supervisord and the services) do not inherit it.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from xzstack.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
