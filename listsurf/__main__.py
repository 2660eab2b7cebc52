"""``python -m listsurf``: serve Listsurf behind Mongrel2."""

from listsurf.app import create_app

if __name__ == "__main__":
    create_app().run()
