"""``python -m listsurf``: serve Listsurf behind Mongrel2."""

from brubeck.concurrency import monkey_patch

monkey_patch()

from listsurf.app import create_app  # noqa: E402

if __name__ == "__main__":
    create_app().run()
