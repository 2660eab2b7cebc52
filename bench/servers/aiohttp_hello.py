"""aiohttp hello world: ``python -m bench.servers.aiohttp_hello PORT``."""

import sys

from aiohttp import web


async def hello(request: web.Request) -> web.Response:
    return web.Response(text="Hello world")


def main(argv: list[str]) -> None:
    if len(argv) != 1:
        sys.exit(__doc__)
    app = web.Application()
    app.router.add_get("/", hello)
    web.run_app(app, host="127.0.0.1", port=int(argv[0]), print=None)


if __name__ == "__main__":
    main(sys.argv[1:])
