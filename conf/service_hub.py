"""``python -m conf.service_hub NAME``: run the hub of the suite's service NAME (conf/sites.py's SERVICES), on the
ports the environment gives it (conf/settings.py), until SIGTERM."""

import sys

from brubeck.service_hub import run_until_signalled
from shared.web import configure_logging

from .settings import deployment
from .sites import SERVICES

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in SERVICES:
        sys.exit(f"usage: python -m conf.service_hub NAME, NAME one of: {', '.join(SERVICES)}")
    where = deployment()
    configure_logging(where.log_level)
    run_until_signalled(where.service_hub(sys.argv[1], bound=True))
