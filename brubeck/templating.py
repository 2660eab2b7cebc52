"""Template rendering mixins: Jinja2 (the default), Mako, Mustache, Tornado.

Each ``load_*_env(template_dir)`` builds the engine's environment, which the
app keeps as ``template_loader``; each ``*Rendering`` handler class offers
``render_template(name, **context)`` and renders ``errors.html`` for errors
when that template exists.  Output is HTML-escaped by default in every engine.
"""

from __future__ import annotations

import os
from typing import Any

from .request_handling import WebMessageHandler
from .responses import Response, reason_phrase

ERROR_TEMPLATE = "errors.html"


class TemplateRendering(WebMessageHandler):
    """Shared logic; engines implement ``render_to_string`` and ``has_template``."""

    def render_to_string(self, template_file: str, context: dict[str, Any]) -> str:
        raise NotImplementedError

    def has_template(self, template_file: str) -> bool:
        raise NotImplementedError

    def get_template_context(self) -> dict[str, Any]:
        """Values every template sees; extend it to add site-wide values."""
        return {"handler": self, "csrf_field": self.csrf_field, "request": self.message}

    def render_template(self, template_file: str, _status_code: int = 200, **context: Any) -> Response:
        """Render a template into the body and return the response."""
        merged = self.get_template_context()
        merged.update(context)
        self.set_body(self.render_to_string(template_file, merged), _status_code)
        return self.render()

    def render_error(self, status_code: int, message: str | None = None,
                     fields: dict[str, str] | None = None) -> Response:
        if not self.has_template(ERROR_TEMPLATE):
            return super().render_error(status_code, message, fields)
        return self.render_template(
            ERROR_TEMPLATE, _status_code=status_code, error_code=status_code,
            error_title=reason_phrase(status_code), error_message=message or reason_phrase(status_code),
            error_fields=fields or {},
        )


def load_jinja2_env(template_dir: str, *args: Any, **kwargs: Any) -> Any:
    """A Jinja2 environment over ``template_dir`` with autoescape on."""
    from jinja2 import Environment, FileSystemLoader

    kwargs.setdefault("autoescape", True)
    return Environment(loader=FileSystemLoader(template_dir, *args), **kwargs)


class Jinja2Rendering(TemplateRendering):
    """Render Jinja2 templates from ``application.template_loader``."""

    def render_to_string(self, template_file: str, context: dict[str, Any]) -> str:
        return self.application.template_loader.get_template(template_file).render(**context)

    def has_template(self, template_file: str) -> bool:
        from jinja2 import TemplateNotFound

        try:
            self.application.template_loader.get_template(template_file)
        except TemplateNotFound:
            return False
        return True


def load_mako_env(template_dir: str, **kwargs: Any) -> Any:
    """A Mako ``TemplateLookup`` over ``template_dir``; expressions are HTML-escaped."""
    from mako.lookup import TemplateLookup

    kwargs.setdefault("default_filters", ["h"])
    return TemplateLookup(directories=[template_dir], **kwargs)


class MakoRendering(TemplateRendering):
    """Render Mako templates from ``application.template_loader``."""

    def render_to_string(self, template_file: str, context: dict[str, Any]) -> str:
        return self.application.template_loader.get_template(template_file).render(**context)

    def has_template(self, template_file: str) -> bool:
        return self.application.template_loader.has_template(template_file)


class _FileTemplates:
    """Templates read from one directory (for engines without a loader)."""

    def __init__(self, template_dir: str) -> None:
        self.template_dir = os.path.abspath(template_dir)

    def path(self, template_file: str) -> str:
        path = os.path.abspath(os.path.join(self.template_dir, template_file))
        if not path.startswith(self.template_dir + os.sep):
            raise ValueError(f"template outside the template directory: {template_file!r}")
        return path

    def exists(self, template_file: str) -> bool:
        return os.path.isfile(self.path(template_file))

    def read(self, template_file: str) -> str:
        with open(self.path(template_file), encoding="utf-8") as handle:
            return handle.read()


def load_mustache_env(template_dir: str) -> _FileTemplates:
    """A Mustache template directory (rendered with chevron; ``{{x}}`` escapes)."""
    return _FileTemplates(template_dir)


class _Lazy:
    """A value rendered by ``str()`` when a template uses it (Mustache cannot call functions)."""

    def __init__(self, function: Any) -> None:
        self.function = function

    def __str__(self) -> str:
        return str(self.function())


class MustacheRendering(TemplateRendering):
    """Render Mustache templates; partials come from the same directory.

    The CSRF input is ``{{{csrf_field}}}`` (triple braces: it is HTML).
    """

    def get_template_context(self) -> dict[str, Any]:
        context = super().get_template_context()
        context["csrf_field"] = _Lazy(self.csrf_field)
        return context

    def render_to_string(self, template_file: str, context: dict[str, Any]) -> str:
        import chevron

        templates: _FileTemplates = self.application.template_loader
        return chevron.render(templates.read(template_file), context, partials_path=templates.template_dir,
                              partials_ext="mustache")

    def has_template(self, template_file: str) -> bool:
        return self.application.template_loader.exists(template_file)


def load_tornado_env(template_dir: str, *args: Any, **kwargs: Any) -> Any:
    """A Tornado template ``Loader`` over ``template_dir`` (autoescaped)."""
    from tornado.template import Loader

    return Loader(template_dir, *args, **kwargs)


class TornadoRendering(TemplateRendering):
    """Render Tornado templates from ``application.template_loader``."""

    def render_to_string(self, template_file: str, context: dict[str, Any]) -> str:
        return self.application.template_loader.load(template_file).generate(**context).decode("utf-8")

    def has_template(self, template_file: str) -> bool:
        loader = self.application.template_loader
        return os.path.isfile(os.path.join(loader.root, template_file))
