"""Every template engine renders, escapes, and renders its error template when present,
whatever order a handler class lists its bases in (Brubeck's documented forms)."""

import pytest

from brubeck import concurrency
from brubeck.auth import UserHandlingMixin
from brubeck.request_handling import Brubeck, JSONMessageHandler, WebMessageHandler
from brubeck.template_engines import Jinja2Engine
from brubeck.templating import (
    Jinja2Rendering,
    MakoRendering,
    MustacheRendering,
    TornadoRendering,
    load_jinja2_env,
    load_mako_env,
    load_mustache_env,
    load_tornado_env,
)
from tests.support.brubeck_requests import form_req, json_body, req


class Engine:
    def __init__(self, rendering, loader, page, errors, extension="html", page_name="page.html"):
        self.rendering, self.loader, self.page, self.errors = rendering, loader, page, errors
        self.extension, self.page_name = extension, page_name

    def write(self, template_dir, with_errors_page):
        (template_dir / f"page.{self.extension}").write_text(self.page)
        if with_errors_page:
            (template_dir / f"errors.{self.extension}").write_text(self.errors)


ENGINES = {
    "jinja2": Engine(Jinja2Rendering, load_jinja2_env, "Hello {{ name }}!", "E{{ error_code }}: {{ error_message }}"),
    "mako": Engine(MakoRendering, load_mako_env, "Hello ${name}!", "E${error_code}: ${error_message}"),
    # Mustache names its templates without the extension, as Brubeck's Mustache demo does.
    "mustache": Engine(
        MustacheRendering,
        load_mustache_env,
        "Hello {{name}}!",
        "E{{error_code}}: {{error_message}}",
        extension="mustache",
        page_name="page",
    ),
    "tornado": Engine(
        TornadoRendering, load_tornado_env, "Hello {{ name }}!", "E{{ error_code }}: {{ error_message }}"
    ),
}


class BaseHandler(WebMessageHandler, UserHandlingMixin):
    """The original Readify's base: a web handler with a user mixin."""

    def get_current_user(self):
        return "ann"


def handler_bases(form, rendering):
    """The bases of a handler class in each documented form."""
    return {
        "alone": (rendering,),  # class Page(Jinja2Rendering)
        "web-first": (WebMessageHandler, rendering),  # class Page(WebMessageHandler, Jinja2Rendering)
        "rendering-first": (rendering, WebMessageHandler),  # class Page(Jinja2Rendering, WebMessageHandler)
        "base-with-mixins": (BaseHandler, rendering),  # class Page(BaseHandler, Jinja2Rendering)
    }[form]


FORMS = ["alone", "web-first", "rendering-first", "base-with-mixins"]


def make_app(engine_name, template_dir, with_errors_page, form="alone", loader_function=False):
    engine = ENGINES[engine_name]
    engine.write(template_dir, with_errors_page)
    bases = handler_bases(form, engine.rendering)

    def get_page(self):
        return self.render_template(engine.page_name, name=self.get_argument("name"))

    def get_broken(self):
        raise RuntimeError("boom")

    page = type("Page", bases, {"get": get_page})
    broken = type("Broken", bases, {"get": get_broken})
    env = engine.loader(str(template_dir))
    return Brubeck(
        template_loader=(lambda: env) if loader_function else env,
        base_handler=page,
        handler_tuples=[(r"/page", page), (r"/broken", broken)],
    )


@pytest.fixture(params=sorted(ENGINES))
def engine(request):
    return request.param


@pytest.mark.parametrize("form", FORMS)
def test_renders_template_in_every_class_order(engine, form, tmp_path):
    response = make_app(engine, tmp_path, False, form).handle(req("GET", "/page?name=Ann"))
    assert response.status == 200
    assert response.body == b"Hello Ann!"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize("form", FORMS)
def test_error_template_in_every_class_order(engine, form, tmp_path):
    response = make_app(engine, tmp_path, True, form).handle(req("GET", "/broken"))
    assert (response.status, response.body) == (500, b"E500: Internal Server Error")


def test_template_loader_may_be_a_function_returning_the_environment(engine, tmp_path):
    app = make_app(engine, tmp_path, True, loader_function=True)
    assert app.handle(req("GET", "/page?name=Ann")).body == b"Hello Ann!"
    assert app.handle(req("GET", "/nowhere")).body == b"E404: Not Found"


def test_escapes_values(engine, tmp_path):
    response = make_app(engine, tmp_path, False).handle(req("GET", "/page?name=<script>alert(1)</script>"))
    assert b"<script>" not in response.body
    assert b"&lt;script&gt;" in response.body


@pytest.mark.parametrize(
    "path, expected", [("/nowhere", b"E404: Not Found"), ("/broken", b"E500: Internal Server Error")]
)
def test_errors_template_is_used(engine, tmp_path, path, expected):
    response = make_app(engine, tmp_path, True).handle(req("GET", path))
    assert response.status == int(expected[1:4])
    assert response.body == expected


@pytest.mark.parametrize("path, title", [("/nowhere", b"404 Not Found"), ("/broken", b"500 Internal Server Error")])
def test_builtin_error_page_without_errors_template(engine, tmp_path, path, title):
    response = make_app(engine, tmp_path, False).handle(req("GET", path))
    assert response.status == int(title[:3])
    assert b"<h1>" + title + b"</h1>" in response.body


def test_mustache_error_template_is_errors_mustache_not_errors_html(tmp_path):
    (tmp_path / "errors.html").write_text("the wrong one")
    response = make_app("mustache", tmp_path, True).handle(req("GET", "/nowhere"))
    assert response.body == b"E404: Not Found"


CSRF_FIELD = {
    "jinja2": "{{ csrf_field() }}",
    "mako": "${csrf_field()}",
    "mustache": "{{{csrf_field}}}",
    "tornado": "{% raw csrf_field() %}",
}


def test_csrf_field(engine, tmp_path):
    rendering = ENGINES[engine].rendering
    name = "form" if engine == "mustache" else "form.html"
    (tmp_path / ("form.mustache" if engine == "mustache" else "form.html")).write_text(
        "<form>" + CSRF_FIELD[engine] + "</form>"
    )

    class Form(rendering):
        def get(self):
            return self.render_template(name)

    app = Brubeck(
        cookie_secret="s", template_loader=ENGINES[engine].loader(str(tmp_path)), handler_tuples=[(r"/", Form)]
    )
    response = app.handle(req("GET", "/"))
    assert response.body.startswith(b'<form><input type="hidden" name="_csrf" value="')
    assert response.headers.get_all("Set-Cookie")[0].startswith("_csrf=")


def test_mustache_partials_nest(tmp_path):
    (tmp_path / "success.mustache").write_text("<p>{{> greeting}}</p>")
    (tmp_path / "greeting.mustache").write_text("Hello {{name}}, {{> signature}}")
    (tmp_path / "signature.mustache").write_text("from {{sender}}")

    class Success(MustacheRendering):
        def get(self):
            return self.render_template("success", name="<b>Ann</b>", sender="Dave")

    app = Brubeck(template_loader=load_mustache_env(str(tmp_path)), handler_tuples=[(r"/", Success)])
    assert app.handle(req("GET", "/")).body == b"<p>Hello &lt;b&gt;Ann&lt;/b&gt;, from Dave</p>"


def test_mustache_refuses_templates_outside_its_directory(tmp_path):
    templates = load_mustache_env(str(tmp_path / "templates"))
    with pytest.raises(ValueError):
        templates.path("../secret")


def test_a_plain_web_handler_renders_with_the_engine_of_the_apps_templates(engine, tmp_path):
    ENGINES[engine].write(tmp_path, True)
    page_name = ENGINES[engine].page_name

    class Page(WebMessageHandler):
        def get(self):
            return self.render_template(page_name, name="Ann")

    app = Brubeck(template_loader=ENGINES[engine].loader(str(tmp_path)), handler_tuples=[(r"/", Page)])
    assert app.handle(req("GET", "/")).body == b"Hello Ann!"


def test_a_json_handler_mixed_with_a_rendering_still_answers_errors_in_json(tmp_path):
    ENGINES["jinja2"].write(tmp_path, True)

    class Api(JSONMessageHandler, Jinja2Rendering):
        def get(self):
            raise RuntimeError("boom")

    app = Brubeck(template_loader=load_jinja2_env(str(tmp_path)), handler_tuples=[(r"/api", Api)])
    response = app.handle(req("GET", "/api"))
    assert response.status == 500
    assert json_body(response) == {"error": {"code": 500, "message": "Internal Server Error"}}


def test_function_routes_render_through_the_application(tmp_path):
    """Brubeck's Jinja2 demo without classes: ``application.render_template`` and ``message.get_argument``."""
    (tmp_path / "success.html").write_text("Take five, {{ name }}!")
    app = Brubeck(template_loader=load_jinja2_env(str(tmp_path)))

    @app.add_route("^/", method=["GET", "POST"])
    def index(application, message):
        return application.render_template("success.html", name=message.get_argument("name", "dude"))

    assert app.handle(req("GET", "/")).body == b"Take five, dude!"
    assert app.handle(req("GET", "/?name=<i>Paul</i>")).body == b"Take five, &lt;i&gt;Paul&lt;/i&gt;!"
    assert app.handle(form_req("/", {"name": "Joe"})).body == b"Take five, Joe!"
    assert app.handle(req("DELETE", "/")).status == 405


def test_render_template_without_templates_is_a_clear_error():
    with pytest.raises(ValueError, match="template_loader"):
        Brubeck().render_template("x.html")


def test_a_long_jinja_page_lets_other_requests_run_while_it_renders(tmp_path):
    """Coroutines do not preempt: a page of many rows pauses between slices of its output."""
    (tmp_path / "rows.html").write_text("{% for n in rows %}<li>{{ n }}</li>{% endfor %}")
    env = load_jinja2_env(str(tmp_path))
    ran = []
    concurrency.spawn(ran.append, "other request")
    page = Jinja2Engine().render(env, "rows.html", {"rows": range(500)})
    assert page == env.get_template("rows.html").render(rows=range(500))
    assert ran == ["other request"]


def test_a_short_jinja_page_renders_without_a_pause(tmp_path):
    (tmp_path / "short.html").write_text("Hello {{ name }}!")
    ran = []
    concurrency.spawn(ran.append, "other request")
    assert Jinja2Engine().render(load_jinja2_env(str(tmp_path)), "short.html", {"name": "<b>"}) == "Hello &lt;b&gt;!"
    assert ran == []
    concurrency.sleep(0)
    assert ran == ["other request"]


def test_a_site_may_render_with_two_engines_each_handler_with_its_own(tmp_path):
    (tmp_path / "jinja").mkdir()
    (tmp_path / "mustache").mkdir()
    (tmp_path / "jinja" / "page.html").write_text("Jinja says {{ name }}")
    (tmp_path / "mustache" / "page.mustache").write_text("Mustache says {{name}}")
    (tmp_path / "mustache" / "errors.mustache").write_text("Mustache's {{error_code}}")

    class JinjaPage(Jinja2Rendering):
        def get(self):
            return self.render_template("page.html", name="<a>")

    class MustachePage(WebMessageHandler, MustacheRendering):
        def get(self):
            return self.render_template("page", name="<b>")

    class MustacheTeapot(MustacheRendering):
        def get(self):
            return self.render_error(418)

    loaders = {
        MustacheRendering: load_mustache_env(str(tmp_path / "mustache")),
        Jinja2Rendering: lambda: load_jinja2_env(str(tmp_path / "jinja")),  # a function works too, called once
    }
    routes = [("^/j$", JinjaPage), ("^/m$", MustachePage), ("^/teapot$", MustacheTeapot)]
    app = Brubeck(handler_tuples=routes, template_loader=loaders)
    assert app.handle(req("GET", "/j")).body == b"Jinja says &lt;a&gt;"
    assert app.handle(req("GET", "/m")).body == b"Mustache says &lt;b&gt;"
    assert app.handle(req("GET", "/teapot")).body == b"Mustache's 418"  # its engine's error page
    assert app.template_env is loaders[MustacheRendering]  # function routes render with the first
    assert app.template_env_for(JinjaPage) is app.template_env_for(JinjaPage)
