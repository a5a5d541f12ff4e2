"""`python -m coop [serve|migrate|seed]`."""

from xiangzhi_shared.cli import main

from .app import make_spec
from .seed import seed

raise SystemExit(main(make_spec, seed))
