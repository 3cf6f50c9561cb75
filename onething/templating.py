"""Every text a person reads comes from ``templates/``, rendered by Jinja2 in strict mode."""

from __future__ import annotations

from datetime import datetime
from importlib import resources

import jinja2

from onething.domain.calendar import SHANGHAI
from onething.web.security_headers import csp_nonce


def yuan(fen: int) -> str:
    return "免费" if not fen else f"{fen / 100:.2f} 元"


def make_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        # templates/ is installed as the package onething.templates (see pyproject.toml)
        loader=jinja2.FileSystemLoader(str(resources.files("onething.templates"))),
        undefined=jinja2.StrictUndefined,  # a missing value is a bug, never a blank in a notice
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        trim_blocks=True, lstrip_blocks=True,
        auto_reload=False,  # installed with the package, they do not change while it runs: no stat per render
    )
    env.filters["yuan"] = yuan
    env.globals["csp_nonce"] = csp_nonce  # a page's own scripts carry its response's nonce
    env.filters["local"] = lambda moment: moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    # the back office's views carry moments as ISO text (as the JSON API does)
    env.filters["local_iso"] = lambda text: env.filters["local"](datetime.fromisoformat(text)) if text else ""
    return env
