"""Engine adapters: how each template library finds and renders a template.

A handler renders through the adapter its class names (``template_engine``,
set by the ``*Rendering`` classes of :mod:`brubeck.templating`) or, when it
names none, the adapter that fits the application's template environment.
Adapters hold no state: the environment they read is the application's.
Every engine escapes HTML by default.  Mustache (pystache) escapes through
:func:`escape_html`, ``& < > " '`` all five, so a ``{{x}}`` is safe in element text
and in an attribute quoted with either quote.
"""

from __future__ import annotations

import errno
import html
import os
from itertools import islice
from typing import Any

from jinja2 import TemplateNotFound

from . import concurrency

try:  # Mustache is optional: pip install pystache
    import pystache
except ImportError:  # pragma: no cover
    pystache = None


class MustacheTemplates:
    """Mustache templates in one directory: ``name`` means ``name.mustache``.

    A name that already has an extension (``page.html``) is used as it is.
    Partials (``{{> name}}``) come from the same directory.
    """

    extension = "mustache"

    def __init__(self, template_dir: str) -> None:
        self.template_dir = os.path.abspath(template_dir)

    def path(self, name: str) -> str:
        """The file of template ``name``; refused (ValueError) outside the directory."""
        if not os.path.splitext(name)[1]:
            name = f"{name}.{self.extension}"
        path = os.path.abspath(os.path.join(self.template_dir, name))
        if not path.startswith(self.template_dir + os.sep):
            raise ValueError(f"template outside the template directory: {name!r}")
        return path

    def exists(self, name: str) -> bool:
        return os.path.isfile(self.path(name))

    def read(self, name: str) -> str:
        with open(self.path(name), encoding="utf-8") as handle:
            return handle.read()


def escape_html(text: str) -> str:
    """``text`` with ``& < > " '`` as entities: what every Mustache ``{{x}}`` outputs.

    A ``Markup`` value is escaped too: raw HTML goes through ``{{{x}}}``.
    """
    return html.escape(str(text), quote=True)


def _text(value: Any) -> str:
    """A value that is not text, as text; ``None`` is nothing (the Mustache spec's null), not "None"."""
    return "" if value is None else str(value)


class _Lazy:
    """A value computed by ``str()`` when a template uses it, and only then.

    ``csrf_field`` is one: it issues the token's cookie, which a page without a form does not need.
    (pystache would call the function itself, but then read its HTML as a template.)
    """

    def __init__(self, function: Any) -> None:
        self.function = function

    def __str__(self) -> str:
        return str(self.function())


class _Partials:
    """The partials of one page: ``{{> name}}`` is ``name.mustache`` in the template directory.

    Each file is read once a page, however often the page includes it (a partial in a
    list of a hundred rows is one read).  A partial that has no file is an error naming it.
    """

    def __init__(self, templates: MustacheTemplates) -> None:
        self.templates = templates
        self.texts: dict[str, str] = {}

    def get(self, name: str) -> str:
        if name not in self.texts:
            try:
                self.texts[name] = self.templates.read(name)
            except FileNotFoundError:
                path = self.templates.path(name)
                message = f"Mustache partial {{{{> {name}}}}} has no file"
                raise FileNotFoundError(errno.ENOENT, message, path) from None
        return self.texts[name]


class TemplateEngine:
    """One template library: ``render``, ``exists`` and the name of its error page."""

    error_template = "errors.html"
    module = ""  # the library whose environments this adapter renders (the environment type's top package)

    def accepts(self, env: Any) -> bool:
        """True if ``env`` is an environment of this engine's library."""
        return type(env).__module__.split(".")[0] == self.module

    def render(self, env: Any, name: str, context: dict[str, Any]) -> str:
        raise NotImplementedError

    def exists(self, env: Any, name: str) -> bool:
        raise NotImplementedError


class Jinja2Engine(TemplateEngine):
    """Jinja2; a long page lets the other requests run every :attr:`SLICE` pieces of output.

    Coroutines do not preempt each other: without these pauses a request arriving while
    twenty pages render waits for all of them (a 50-row page is about a thousand pieces).
    """

    module = "jinja2"
    SLICE = 200

    def render(self, env: Any, name: str, context: dict[str, Any]) -> str:
        output = env.get_template(name).generate(**context)
        parts = []
        while True:
            piece = list(islice(output, self.SLICE))
            parts.append("".join(piece))
            if len(piece) < self.SLICE:
                return "".join(parts)
            concurrency.sleep(0)  # the other ready requests run a turn

    def exists(self, env: Any, name: str) -> bool:
        try:
            env.get_template(name)
        except TemplateNotFound:
            return False
        return True


class MakoEngine(TemplateEngine):
    module = "mako"

    def render(self, env: Any, name: str, context: dict[str, Any]) -> str:
        return str(env.get_template(name).render(**context))

    def exists(self, env: Any, name: str) -> bool:
        return bool(env.has_template(name))


class TornadoEngine(TemplateEngine):
    module = "tornado"

    def render(self, env: Any, name: str, context: dict[str, Any]) -> str:
        page: bytes = env.load(name).generate(**context)
        return page.decode("utf-8")

    def exists(self, env: Any, name: str) -> bool:
        return os.path.isfile(os.path.join(env.root, name))


class MustacheEngine(TemplateEngine):
    """pystache over :class:`MustacheTemplates`.

    ``{{x}}`` escapes ``& < > " '`` (:func:`escape_html`), ``{{{x}}}`` does not; the CSRF
    input is ``{{{csrf_field}}}``.  Partials come from the template directory; a missing
    partial, like a missing template, is an error (a 500 page), not an empty string.
    A missing value renders as nothing, ``None`` too.
    """

    error_template = "errors"

    def accepts(self, env: Any) -> bool:
        return isinstance(env, MustacheTemplates)

    def render(self, env: MustacheTemplates, name: str, context: dict[str, Any]) -> str:
        if pystache is None:  # pragma: no cover
            raise RuntimeError("Mustache templates need pystache: pip install pystache")
        if callable(context.get("csrf_field")):
            context = {**context, "csrf_field": _Lazy(context["csrf_field"])}
        renderer = pystache.Renderer(partials=_Partials(env), escape=escape_html, missing_tags="ignore")
        renderer.str_coerce = _text  # pystache's documented hook for values that are not text
        page: str = renderer.render(env.read(name), context)
        return page

    def exists(self, env: MustacheTemplates, name: str) -> bool:
        return env.exists(name)


JINJA2 = Jinja2Engine()
MAKO = MakoEngine()
MUSTACHE = MustacheEngine()
TORNADO = TornadoEngine()
ENGINES = (JINJA2, MAKO, MUSTACHE, TORNADO)


def engine_for(env: Any) -> TemplateEngine:
    """The adapter that renders ``env`` (TypeError if none does)."""
    for engine in ENGINES:
        if engine.accepts(env):
            return engine
    raise TypeError(
        f"no template engine renders a {type(env).__name__}; use one of brubeck.templating's load_*_env functions"
    )
