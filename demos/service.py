#!/usr/bin/env python
"""A slow echo service (brubeck-service's demo_service.py): it answers other Brubeck apps, not Mongrel2.

Run it from the project root with ``python -m demos.service``, beside ``demos.service_client``
(see demos/README.md).  Each request waits five seconds, then echoes its RETURN_DATA argument.
Start it twice and ZeroMQ hands the requests to each process in turn.
"""

import logging
import os
import time

from brubeck.request_handling import Brubeck
from brubeck.service import ServiceConnection, ServiceMessageHandler, coro_sleep
from brubeck.templating import load_jinja2_env

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")


class SlowEchoServiceHandler(ServiceMessageHandler):
    """Takes its time, then sends the data back."""

    def request(self):
        logging.debug("Starting request %s:%s", self.message.conn_id, int(time.time()))
        coro_sleep(float(os.environ.get("SERVICE_DELAY", "5")))
        self.set_status(200, "Took a while, but I am back.")
        self.add_to_payload("RETURN_DATA", self.message.get_argument("RETURN_DATA", "NO DATA"))
        self.headers = {"METHOD": "response"}
        logging.debug("Done, sending back %s:%s", self.message.conn_id, int(time.time()))
        return self.render()


app = Brubeck(
    msg_conn=ServiceConnection(
        os.environ.get("SERVICE_ADDR", "ipc://run/slow"),
        os.environ.get("SERVICE_RESPONSE_ADDR", "ipc://run/slow_response"),
        "my_shared_secret",
    ),
    handler_tuples=[(r"^/service/slow", SlowEchoServiceHandler)],
    cookie_secret="demo-service-secret-change-me",
    template_loader=load_jinja2_env(TEMPLATES),
    log_level=logging.DEBUG,
)

if __name__ == "__main__":
    logging.basicConfig(level=logging.DEBUG)
    app.run()
