"""``python -m conf.reset_password USERNAME``: give an account a new password from the command line (for a
server that sends no mail), on the store the environment names; every session of the account ends.

The password is asked for twice (not echoed); with ``--generate`` a random one is made and printed.
"""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys

from shared.models import check_new_password
from shared.store import open_store
from shared.users import change_account, find_user

from .settings import from_env


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m conf.reset_password", description=__doc__.split("\n")[0])
    parser.add_argument("username")
    parser.add_argument("--generate", action="store_true", help="make a random password and print it")
    args = parser.parse_args(argv)
    settings = from_env()
    store = open_store(settings.mongodb_url, settings.data_dir)
    try:
        user = find_user(store, args.username)
        if user is None:
            print(f"There is no account called {args.username!r}.", file=sys.stderr)
            return 1
        if args.generate:
            password = secrets.token_urlsafe(12)
        else:
            password = getpass.getpass(f"New password for {user.username}: ")
            if password != getpass.getpass("The same again: "):
                print("The two passwords differ; nothing changed.", file=sys.stderr)
                return 1
        problem = check_new_password(password)
        if problem:
            print(f"{problem} Nothing changed.", file=sys.stderr)
            return 1
        change_account(store, user, password=password)
    finally:
        store.close()
    shown = f": {password}" if args.generate else ""
    print(f"{user.username} has a new password{shown}. Every session of the account was signed out.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
