"""``python -m readify.web``: serve Readify's pages behind Mongrel2."""

from readify.app import create_app
from shared.web import configure_logging

if __name__ == "__main__":
    configure_logging()
    create_app().run()
