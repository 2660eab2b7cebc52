"""``python -m listsurf``: serve Listsurf behind Mongrel2."""

from listsurf.app import create_app
from shared.web import configure_logging

if __name__ == "__main__":
    configure_logging()
    create_app().run()
