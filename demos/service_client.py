#!/usr/bin/env python
"""A web app that calls the slow echo service (brubeck-service's demo_service_client.py).

Run Mongrel2 with demos/mongrel2.conf, ``python -m demos.service`` and ``python -m demos.service_client``
from the project root (see demos/README.md), then open http://localhost:6767/.
``/service/sync`` waits for the service's answer (five seconds; other pages keep being served
meanwhile) and shows it; ``/service/async`` answers at once, and the service's reply is
handled later by the ``/service/slow`` route (it logs it).
"""

import logging
import os

from brubeck.connections import Mongrel2Connection
from brubeck.request_handling import Brubeck, WebMessageHandler
from brubeck.service import ServiceClientMixin, ServiceMessageHandler
from brubeck.templating import Jinja2Rendering, load_jinja2_env

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
service_addr = os.environ.get("SERVICE_ADDR", "ipc://run/slow")
service_response_addr = os.environ.get("SERVICE_RESPONSE_ADDR", "ipc://run/slow_response")
service_passphrase = "my_shared_secret"
service_path = "/service/slow"
request_method = "request"
sync_request_arguments = {"RETURN_DATA": "I made a round trip, it took a while but I bring results."}
async_request_arguments = {"RETURN_DATA": "I made a round trip, it took so long I will respond to no one."}


class DemoHandler(Jinja2Rendering, WebMessageHandler):
    def get(self):
        return self.render_template("index.html", name="Call the slow service.")


class CallServiceAsyncHandler(Jinja2Rendering, ServiceClientMixin, WebMessageHandler):
    def get(self):
        self.register_service(service_addr, service_response_addr, service_passphrase)
        service_request = self.create_service_request(service_path, request_method, async_request_arguments)
        self.send_service_request_nowait(service_addr, service_request)
        self.set_status(200)
        return self.render_template("success.html", name="Async is faster, but ... nothing to report on my trip.")


class CallServiceSyncHandler(Jinja2Rendering, ServiceClientMixin, WebMessageHandler):
    def get(self):
        self.register_service(service_addr, service_response_addr, service_passphrase)
        service_request = self.create_service_request(service_path, request_method, sync_request_arguments)
        response, handler_response = self.send_service_request(service_addr, service_request)
        logging.debug("response: %s, handler_response: %s", response, handler_response)
        self.set_status(200)
        logging.debug("service_infos: %s", self.application._resources)
        return self.render_template("success.html", name=response.body["RETURN_DATA"])


class ServiceResponseHandler(ServiceMessageHandler):
    """Handles the service's replies."""

    def response(self):
        if self.status_code == 200:
            logging.info("Successful %s:%s", self.status_code, self.status_msg)
        else:
            logging.info("Failed (%s:%s)", self.status_code, self.status_msg)
        return self.render()


app = Brubeck(
    msg_conn=Mongrel2Connection(
        os.environ.get("BRUBECK_PULL", "tcp://127.0.0.1:9999"), os.environ.get("BRUBECK_PUB", "tcp://127.0.0.1:9998")
    ),
    handler_tuples=[
        (r"^/service/slow", ServiceResponseHandler),
        (r"^/service/sync", CallServiceSyncHandler),
        (r"^/service/async", CallServiceAsyncHandler),
        (r"^/", DemoHandler),
    ],
    cookie_secret="demo-service-client-secret-change-me",
    template_loader=load_jinja2_env(TEMPLATES),
    log_level=logging.DEBUG,
)

if __name__ == "__main__":
    logging.basicConfig(level=logging.DEBUG)
    app.run()
