"""The connections that bring requests to an app, where Brubeck's documentation imports them."""

from .mongrel2 import Mongrel2Connection
from .wsgi import WSGIConnection

__all__ = ["Mongrel2Connection", "WSGIConnection"]
