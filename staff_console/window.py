"""The window clerk's pages (综合窗口): the intake queue, a case, and the intake decisions.

A decision that the rules refuse shows the case again with the API's Chinese message beside
the form it came from, what was typed still in it, and the refusal's status; one that is done
redirects to the case (post/redirect/get), so reloading does not decide twice.
"""

from __future__ import annotations

from datetime import date

from aiohttp import web
from multidict import MultiDict, MultiDictProxy

from onething.domain.corrections import compose
from onething.domain.overturns import BASES
from onething.domain.calendar import local_date
from onething.domain.refusals import Refused
from onething.domain.states import EXCLUDED_PERIODS
from onething.domain.shipment import CARRIERS
from onething.keys import catalog_key, id_cipher_key, object_store_key, templates_key, workflow_key
from onething.services import console_cases, console_queues
from onething.services.notifier import render as notification
from onething.services.staff_cases import READ_ALL
from onething.web.errors import message_of
from onething.web.http import int_id
from .framework import Page, actor, form, me, page_number, render

CLERK = ("clerk",)
CASE = r"/cases/{id:\d{1,9}}"


async def intake(request: web.Request) -> web.Response:
    config = request.config_dict
    today = local_date(config[workflow_key].clock())
    queue = await console_queues.intake_page(config[catalog_key], config[workflow_key].calendar, today,
                                             page_number(request))
    return render(request, "console/intake.html.j2", queue=queue, today=today)


async def case_page(request: web.Request, case_id: int | None = None, *, status: int = 200, refusal: str = "",
                    which: str = "", typed: MultiDictProxy | None = None, **extra) -> web.Response:
    config = request.config_dict
    view = await console_cases.case_page(config[catalog_key], config[id_cipher_key], config[object_store_key],
                                         me(request), case_id or int_id(request))
    return render(request, "console/case.html.j2", status, case=view, refusal=refusal, which=which,
                  typed=typed if typed is not None else MultiDictProxy(MultiDict()), done=request.query.get("done", ""),
                  carriers=CARRIERS, pauses=EXCLUDED_PERIODS, bases=BASES, task=extra.pop("task", None),
                  preview=extra.pop("preview", None), revealed=extra.pop("revealed", None), **extra)


async def case(request: web.Request) -> web.Response:
    return await case_page(request)


async def decide(request: web.Request, which: str, decision, back: str | None = None, **extra) -> web.Response:
    """Run one workflow decision with the posted form; the page again, saying why, if refused."""
    given = form(request)
    try:
        await decision(request.config_dict[workflow_key], int_id(request), actor(me(request)), given)
    except Refused as exc:
        return await case_page(request, status=exc.status, refusal=message_of(request, exc), which=which,
                               typed=given, **extra)
    raise web.HTTPSeeOther(f"{back or request.path.rsplit('/', 1)[0]}?done={which}")


def _owed(given: MultiDictProxy) -> dict[str, date]:
    owed = {}
    for code in given.getall("owed", []):
        try:
            owed[code] = date.fromisoformat(given.get(f"due_{code}", ""))
        except ValueError:
            raise Refused("console.owed_date_missing", status=400) from None
    return owed


async def accept(request):
    return await decide(request, "accept", lambda flow, case_id, who, given: flow.accept(
        case_id, who, owed=_owed(given), note=given.get("note", "").strip()))


def problems_of(request: web.Request, view: dict, given: MultiDictProxy) -> list[str]:
    names = {m["code"]: m["name"] for m in view["required"]}
    titles = {f["path"]: f["title"] for f in view["fields"]}
    return compose([(names[c], given.get(f"why_material_{c}", "")) for c in given.getall("material", []) if c in names],
                   [(titles[p], given.get(f"why_field_{p}", "")) for p in given.getall("field", []) if p in titles],
                   given.get("note", ""))


async def _problems(request: web.Request) -> list[str]:
    config = request.config_dict
    view = await console_cases.case_page(config[catalog_key], config[id_cipher_key], config[object_store_key],
                                         me(request), int_id(request))
    return problems_of(request, view, form(request))


async def return_for_correction(request):
    problems = await _problems(request)
    return await decide(request, "return", lambda flow, case_id, who, given: flow.return_for_correction(
        case_id, who, problems))


async def return_preview(request: web.Request) -> web.Response:
    """The list as the applicant will read it, before it goes; htmx asks for the list alone."""
    config = request.config_dict
    view = await console_cases.case_page(config[catalog_key], config[id_cipher_key], config[object_store_key],
                                         me(request), int_id(request))
    problems = problems_of(request, view, form(request))
    text = notification(config[templates_key], "returned", {"thing_name": view["thing_name"], "number": view["number"],
                                                            "problems": problems}).text if problems else ""
    if request.headers.get("HX-Request"):
        return render(request, "console/problems_preview.html.j2", preview={"problems": problems, "text": text})
    return await case_page(request, which="return", typed=form(request),
                           preview={"problems": problems, "text": text})


async def refuse(request):
    return await decide(request, "refuse", lambda flow, case_id, who, given: flow.refuse(
        case_id, who, given.get("reason", "").strip()))


async def results_ready(request):
    return await decide(request, "results-ready", lambda flow, case_id, who, given: flow.results_ready(case_id, who))


async def handover(request):
    return await decide(request, "handover", lambda flow, case_id, who, given: flow.hand_over(case_id, who, "collect"))


PAGES = [
    Page("GET", "/intake", intake, READ_ALL, nav="待受理"),
    Page("GET", CASE, case, (*READ_ALL, "reviewer")),
    Page("POST", f"{CASE}/accept", accept, CLERK),
    Page("POST", f"{CASE}/return", return_for_correction, CLERK),
    Page("POST", f"{CASE}/return-preview", return_preview, CLERK),
    Page("POST", f"{CASE}/refuse", refuse, CLERK),
    Page("POST", f"{CASE}/results-ready", results_ready, CLERK),
    Page("POST", f"{CASE}/handover", handover, CLERK),
]
