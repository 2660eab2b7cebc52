"""``python -m readify.api``: serve Readify's JSON API behind Mongrel2."""

from readify.api.app import create_app
from shared.web import configure_logging

if __name__ == "__main__":
    configure_logging()
    create_app().run()
