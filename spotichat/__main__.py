"""``python -m spotichat``: serve SpotiChat behind Mongrel2."""

from shared.web import configure_logging
from spotichat.app import create_app

if __name__ == "__main__":
    configure_logging()
    create_app().run()
