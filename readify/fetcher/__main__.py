"""``python -m readify.fetcher``: a page fetcher process behind the readify-fetcher hub, configured by the
environment (FETCHER_ALLOW_PRIVATE=1 lets it fetch loopback and private addresses: tests only)."""

from conf.settings import Environment, deployment, from_env
from readify.fetcher.service import SERVICE, create_fetcher
from shared.web import configure_logging

if __name__ == "__main__":
    settings = from_env()
    configure_logging(settings.log_level)
    passphrase = settings.services[SERVICE].passphrase
    allow_private = Environment().flag("FETCHER_ALLOW_PRIVATE")
    create_fetcher(deployment().service_hub(SERVICE), passphrase, allow_private=allow_private).run()
