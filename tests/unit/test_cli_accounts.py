"""What ``onething staff create`` says to someone who gets it wrong the first time: the option they
need, the command they meant, the codes there are; never a traceback. None of it opens the database."""

from __future__ import annotations

import io

import pytest

from onething import cli
from onething.services.reference import load_catalog
from tests.conftest import settings_environ


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    for name, value in settings_environ(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # as under a script or CI: no terminal to ask on

    def run(*args: str) -> tuple[int, str]:
        code = cli.main(list(args))
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    return run


def test_without_a_terminal_the_password_must_be_given(run):
    code, said = run("staff", "create", "wang", "--role", "clerk")
    assert code == 2
    assert "give --password" in said and "Traceback" not in said and "termios" not in said


def test_a_courier_account_without_a_terminal_needs_the_password_too(run):
    code, said = run("courier", "create", "li", "--carrier", "ems")
    assert (code, "give --password" in said) == (2, True)


def test_a_courier_is_pointed_to_the_courier_command(run):
    code, said = run("staff", "create", "li", "--role", "courier", "--password", "long-enough-1")
    assert code == 2
    assert "onething courier create li --carrier" in said
    assert "give --carrier" not in said  # which `staff create` does not accept


def test_an_unknown_department_lists_the_codes_there_are(run):
    code, said = run("staff", "create", "zhao", "--role", "reviewer", "--department", "no-such-bureau",
                     "--password", "long-enough-1")
    assert code == 2
    assert "'no-such-bureau'" in said
    assert all(department in said for department in load_catalog().departments)
