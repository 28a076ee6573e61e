"""Fixtures of the HTTP tests: a model store of their own, one real server, a product video.

The store is not the shared ``scratch_store``: registering models there would change which
conversion version ``tests/training/test_retrain_e2e.py`` sees as the first one. It is
made the same way (base models linked from the default store, so nothing large is copied).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.service.http.serving import (
    Server,
    fit_conversion,
    link_models,
    register_smoke_heads,
    running_server,
    stand_in_table,
)

TOKEN = "test-token-5b1f"
MAX_UPLOAD_MB = 8
MAX_DURATION_S = 60


@dataclass(frozen=True)
class Store:
    """A scratch BENTOML_HOME and the tags registered in it."""

    home: Path
    heads: str
    conversion: str


@pytest.fixture(scope="session")
def http_store(base_models: None, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """Base models linked, smoke heads trained, a conversion model fitted and served."""
    from training.conversion_data import DEFAULT_TABLE

    home = link_models(tmp_path_factory.mktemp("bentoml-http"))
    env = {
        **os.environ,
        "BENTOML_HOME": str(home),
        "SELLSCOPE_THREADS": "2",
        "OMP_NUM_THREADS": "1",
    }
    heads = register_smoke_heads(env)
    table = DEFAULT_TABLE
    if not table.is_file():  # the shipped table is built by `python -m training.conversion_data`
        table = stand_in_table(home / "stand-in-features.csv")
    return Store(home, heads, fit_conversion(env, table))


@pytest.fixture(scope="session")
def server(http_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The service on a free port, with a token and low limits."""
    env = {
        "SELLSCOPE_API_TOKEN": TOKEN,
        "SELLSCOPE_MAX_UPLOAD_MB": str(MAX_UPLOAD_MB),
        "SELLSCOPE_MAX_DURATION_S": str(MAX_DURATION_S),
        "OMP_NUM_THREADS": "1",  # see serving._run: busy CI machines
    }
    with running_server(http_store.home, tmp_path_factory.mktemp("server"), env) as s:
        yield s


@pytest.fixture(scope="session")
def client(server: Server) -> Iterator[httpx.Client]:
    """An HTTP client of the server that sends the token."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=600) as c:
        yield c


@pytest.fixture(scope="session")
def product_video(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 - SynthVideo
    """A generated English product video (speech, captions, product shots), 360x640 @ 10.

    One with planted dead air, which the default conversion model rewards fixing: its
    report has at least one diagnosis entry for the page to show.
    """
    from training.synth import synth_videos

    folder = tmp_path_factory.mktemp("synth")
    videos = synth_videos(2, "en", "test", folder, seed=11, size=(360, 640), fps=10)
    return next((v for v in videos if "dead_air" in v.truth.planted_flaws), videos[0])
