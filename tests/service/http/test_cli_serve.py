"""``sellscope serve``: the argparse wiring and the ``bentoml serve`` command it runs."""

from __future__ import annotations

import argparse

import pytest

from service.http import cli
from service.http.loading import ModelRefs


@pytest.fixture
def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sellscope")
    cli.add_serve_command(p.add_subparsers(dest="command"))
    return p


def test_serve_parses_host_port_and_workers(parser):
    args = parser.parse_args(["serve", "--port", "4000", "--workers", "2"])
    assert (args.host, args.port, args.workers) == ("127.0.0.1", 4000, 2)
    assert args.func is cli._cmd_serve


def test_the_command_serves_the_service_from_the_project_root():
    cmd = cli.serve_command("127.0.0.1", 4000)
    assert cmd[1:4] == ["-m", "bentoml", "serve"] and cli.SERVICE in cmd
    assert cmd[cmd.index("--port") + 1] == "4000"
    assert (cli.ROOT / "service" / "http" / "app.py").is_file()
    assert cmd[cmd.index("--working-dir") + 1] == str(cli.ROOT)


def test_serve_runs_bentoml_and_warns_when_exposed_without_a_token(parser, monkeypatch, capsys):
    seen = {}

    def fake_call(cmd, env):  # noqa: ANN001, ANN202
        seen.update(cmd=cmd, env=env)
        return 7

    monkeypatch.setattr(cli.subprocess, "call", fake_call)
    monkeypatch.setattr(ModelRefs, "resolve", classmethod(lambda c: ModelRefs({"heads": "h:1"})))
    monkeypatch.delenv("SELLSCOPE_API_TOKEN", raising=False)
    args = parser.parse_args(["serve", "--host", "0.0.0.0", "--workers", "3"])
    assert args.func(args) == 7
    assert seen["env"]["SELLSCOPE_WORKERS"] == "3" and seen["env"]["BENTOML_DO_NOT_TRACK"]
    out = capsys.readouterr()
    assert "http://0.0.0.0:3000/ui" in out.out and "heads=h:1" in out.out
    assert "SELLSCOPE_API_TOKEN" in out.err
    monkeypatch.setenv("SELLSCOPE_API_TOKEN", "t")
    args = parser.parse_args(["serve"])
    args.func(args)
    assert "warning" not in capsys.readouterr().err
