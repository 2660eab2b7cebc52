"""``python -m readify.api``: serve Readify's JSON API behind Mongrel2, configured by the environment."""

from conf.settings import from_env
from readify.api.app import create_app
from readify.imports import BOOKMARKS
from shared.bookmarks.runner import keep_resuming
from shared.web import configure_logging

if __name__ == "__main__":
    settings = from_env()
    configure_logging(settings.log_level)
    app = create_app(settings)
    keep_resuming(
        app.store, BOOKMARKS.name, BOOKMARKS.saver(app.store, settings.links_per_account)
    )  # imports whose process died
    app.run()
