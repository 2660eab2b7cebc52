"""The service of bench.service: a Brubeck service whose one route, ``/work``, does :func:`work`.

``python -m bench.servers.echo_service SERVICE_ADDR RESPONSE_ADDR KB`` (the passphrase is :data:`PASSPHRASE`)
"""

from __future__ import annotations

import hashlib
import logging
import sys

from brubeck.request_handling import Brubeck
from brubeck.responses import Response
from brubeck.service import ServiceConnection, ServiceMessageHandler

PASSPHRASE = "bench-service"
_BLOCK = bytes(range(256)) * 256  # 64 KB


def work(text: str, kb: int) -> str:
    """The fixed CPU job, in the caller or in the service: SHA-256 of ``text`` and ``kb`` KB (at most 64)."""
    digest = hashlib.sha256(text.encode())
    digest.update(_BLOCK[: kb * 1024])
    return digest.hexdigest()


class WorkHandler(ServiceMessageHandler):
    kb = 0

    def request(self) -> Response:
        self.add_to_payload("digest", work(str(self.message.get_argument("text", "")), self.kb))
        self.set_status(200, "Done")
        return self.render()


def main(argv: list[str]) -> None:
    if len(argv) != 3:
        sys.exit(__doc__)
    WorkHandler.kb = int(argv[2])
    Brubeck(
        msg_conn=ServiceConnection(argv[0], argv[1], PASSPHRASE),
        handler_tuples=[(r"^/work$", WorkHandler)],
        log_level=logging.WARNING,
    ).run()


if __name__ == "__main__":
    main(sys.argv[1:])
