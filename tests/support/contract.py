"""The contract test's engine: schemathesis draws requests for every operation of an OpenAPI
document, sends them to the running service, and checks each answer: never a 5xx, and always
the shape the document gives for its status.

Examples come from a fixed seed, none are kept between runs (``database=None``: nothing is
written into the checkout) and none are shrunk, so a run makes the same requests on a laptop
and in CI and takes a bounded time. Each operation runs until its first failure; every failure
is collected, so one run lists them all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase, given
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance


@schemathesis.serializer("application/pdf")
def _file_body(ctx, value) -> bytes:
    """A file upload's body as generated: the bytes as they are (a route still judges them)."""
    if isinstance(value, bytes):
        return value
    return json.dumps(value).encode() if not isinstance(value, str) else value.encode("utf-8", "surrogatepass")

SEED = 20260302
CHECKS = [not_a_server_error, response_schema_conformance]
# What each operation gets: valid requests (they reach the handler) and invalid ones (the request
# layer must refuse them with a 4xx in the documented error shape).
EXAMPLES = {GenerationMode.POSITIVE: 6, GenerationMode.NEGATIVE: 3}


@dataclass(frozen=True)
class Finding:
    method: str
    path: str
    mode: str
    status: int | None
    request: str
    problem: str

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.mode}] -> {self.status}: {self.problem}\n    sent: {self.request}"


def _request_of(case) -> str:
    sent = {k: v for k, v in (("path", case.path_parameters), ("query", case.query), ("body", case.body))
            if v not in (None, {}, schemathesis.core.NOT_SET)}
    text = json.dumps(sent, ensure_ascii=False, default=repr)
    return text if len(text) <= 300 else text[:300] + "…"


def _problem_of(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 400 else text[:400] + "…"


def _ordered(operations):
    # Logging out ends the session every later request uses: those go last.
    return sorted(operations, key=lambda op: ("logout" in op.path, op.path, op.method))


def check_document(document: dict, base_url: str, headers: dict[str, str], *, skip: set[str] = frozenset()
                   ) -> tuple[int, list[Finding]]:
    """Run every operation of ``document`` against ``base_url``; return (requests sent, findings)."""
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    findings: list[Finding] = []
    sent = 0
    for operation in _ordered(operations):
        if f"{operation.method.upper()} {operation.path}" in skip:
            continue
        for mode, examples in EXAMPLES.items():
            last: dict = {}

            @hypothesis.seed(SEED)
            @hypothesis.settings(max_examples=examples, database=None, derandomize=True, deadline=None,
                                 phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
                                 report_multiple_bugs=False, print_blob=False)
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case) -> None:
                nonlocal sent
                last["case"], last["status"] = case, None
                response = case.call(base_url=base_url, headers=headers, timeout=10)
                sent += 1
                last["status"] = response.status_code
                case.validate_response(response, checks=CHECKS, headers=headers)

            try:
                run()
            except hypothesis.errors.Unsatisfiable:
                continue  # nothing valid (or invalid) can be drawn for it: no request to judge
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # noqa: BLE001 — schemathesis's FailureGroup is a BaseExceptionGroup
                case = last.get("case")
                findings.append(Finding(operation.method.upper(), operation.path, mode.value, last.get("status"),
                                        _request_of(case) if case is not None else "", _problem_of(exc)))
    return sent, findings
