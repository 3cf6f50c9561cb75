"""The staff console (``/staff/``): the back office's pages, server-rendered, for people at desks.

Thin, like every entrypoint: read the form, call one service (the same functions and the same
authorisation as ``staff_api``), render a template from ``templates/console/``. Pages work
without JavaScript; htmx (shipped in ``templates/console/static/``) only spares reloads.

To add a page:

1. Write its handler in a module of this package, returning
   ``framework.render(request, "console/<name>.html.j2", **context)``; the template extends
   ``console/base.html.j2`` (header, navigation, who is signed in).
2. Declare it in the module's ``PAGES`` list as ``Page("GET", "/path", handler, roles=("manager",),
   nav="标题")`` and add that list to ``app.PAGES``. ``roles`` are checked before the handler runs
   (anyone else gets the 404 page); ``nav`` lists it in the header of those roles.
3. Forms POST to a ``Page("POST", ...)``; every form carries ``<input type="hidden" name="csrf"
   value="{{ csrf }}">``, checked by the session middleware, which then hands the handler the
   form as ``framework.form(request)``. A refusal (``Refused``) the handler does not catch becomes
   the error page in Chinese with its status; one it catches, it shows beside the form with what
   was typed (``refusal=message_of(request, exc)``), answering the refusal's status.
4. Lines of text that are not in a template go in ``templates/messages/console.yaml``.
"""

from .app import create_app

__all__ = ["create_app"]
