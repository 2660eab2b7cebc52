"""``python -m nojs``: serve no.js behind Mongrel2, configured by the environment."""

from conf.settings import from_env
from nojs.app import create_app
from shared.web import configure_logging

if __name__ == "__main__":
    settings = from_env()
    configure_logging(settings.log_level)
    create_app(settings).run()
