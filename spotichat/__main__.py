"""``python -m spotichat``: serve SpotiChat behind Mongrel2, configured by the environment."""

from conf.settings import from_env
from shared.web import configure_logging
from spotichat.app import create_app

if __name__ == "__main__":
    settings = from_env()
    configure_logging(settings.log_level)
    create_app(settings).run()
