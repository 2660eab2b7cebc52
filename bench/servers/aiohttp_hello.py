"""aiohttp hello world (``/``) and JSON hello (``/json``): ``python -m bench.servers.aiohttp_hello PORT``."""

import json
import sys
from functools import partial

from aiohttp import web

compact = partial(json.dumps, separators=(",", ":"))  # the bytes Brubeck sends


async def hello(request: web.Request) -> web.Response:
    return web.Response(text="Hello world")


async def json_hello(request: web.Request) -> web.Response:
    return web.json_response({"message": "Hello world"}, dumps=compact)


def main(argv: list[str]) -> None:
    if len(argv) != 1:
        sys.exit(__doc__)
    app = web.Application()
    app.router.add_get("/", hello)
    app.router.add_get("/json", json_hello)
    web.run_app(app, host="127.0.0.1", port=int(argv[0]), print=None)


if __name__ == "__main__":
    main(sys.argv[1:])
