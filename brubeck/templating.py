"""Template rendering as Brubeck documents it: ``load_*_env`` and the ``*Rendering`` names.

``load_jinja2_env(template_dir)`` (or Mako, Mustache, Tornado) builds the
environment the app keeps as ``template_loader`` (a function returning one
works too, as in Brubeck 0.4).  A handler class renders with
``self.render_template(name, **context)``; the ``*Rendering`` classes name
the engine it uses, and can stand alone as a handler's base
(``class Page(Jinja2Rendering)``) or be combined with
``WebMessageHandler`` and mixins in any order
(``class Page(WebMessageHandler, Jinja2Rendering)``).  Each engine renders
its error template for errors when it exists: ``errors.html``, or
``errors`` (``errors.mustache``) for Mustache.  Output is HTML-escaped by
default in every engine.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, FileSystemLoader

try:  # Mako is optional: pip install Mako
    from mako.lookup import TemplateLookup
except ImportError:  # pragma: no cover
    TemplateLookup = None
try:  # Tornado's templates are optional: pip install tornado
    from tornado.template import Loader
except ImportError:  # pragma: no cover
    Loader = None  # type: ignore[assignment,misc]

from .handlers import WebHandling
from .template_engines import JINJA2, MAKO, MUSTACHE, TORNADO, MustacheTemplates

__all__ = [
    "Jinja2Rendering",
    "MakoRendering",
    "MustacheRendering",
    "TornadoRendering",
    "load_jinja2_env",
    "load_mako_env",
    "load_mustache_env",
    "load_tornado_env",
]


def load_jinja2_env(template_dir: str, *args: Any, **kwargs: Any) -> Any:
    """A Jinja2 environment over ``template_dir`` with autoescape on."""
    kwargs.setdefault("autoescape", True)
    return Environment(loader=FileSystemLoader(template_dir, *args), **kwargs)


def load_mako_env(template_dir: str, **kwargs: Any) -> Any:
    """A Mako ``TemplateLookup`` over ``template_dir``; expressions are HTML-escaped."""
    if TemplateLookup is None:  # pragma: no cover
        raise RuntimeError("Mako templates need Mako: pip install Mako")
    kwargs.setdefault("default_filters", ["h"])
    return TemplateLookup(directories=[template_dir], **kwargs)


def load_mustache_env(template_dir: str) -> MustacheTemplates:
    """Mustache templates in ``template_dir`` (``render_template('success')`` reads ``success.mustache``)."""
    return MustacheTemplates(template_dir)


def load_tornado_env(template_dir: str, *args: Any, **kwargs: Any) -> Any:
    """A Tornado template ``Loader`` over ``template_dir`` (autoescaped)."""
    if Loader is None:  # pragma: no cover
        raise RuntimeError("Tornado templates need tornado: pip install tornado")
    return Loader(template_dir, *args, **kwargs)


class Jinja2Rendering(WebHandling):
    """A web handler that renders Jinja2 templates."""

    template_engine = JINJA2


class MakoRendering(WebHandling):
    """A web handler that renders Mako templates."""

    template_engine = MAKO


class MustacheRendering(WebHandling):
    """A web handler that renders Mustache templates (partials from the same directory)."""

    template_engine = MUSTACHE


class TornadoRendering(WebHandling):
    """A web handler that renders Tornado templates."""

    template_engine = TORNADO
