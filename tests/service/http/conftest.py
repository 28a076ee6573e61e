"""Fixtures of the HTTP tests: a model store of their own, one real server, a product video.

The store is ``served_store`` (tests/conftest.py), shared with the batch tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.service.http.serving import Server, running_server

TOKEN = "test-token-5b1f"
MAX_UPLOAD_MB = 8
MAX_DURATION_S = 60


@pytest.fixture(scope="session")
def http_store(served_store):  # noqa: ANN001, ANN201 - tests.conftest.ServedStore
    """The shared served store (smoke heads, default conversion model)."""
    return served_store


@pytest.fixture(scope="session")
def server(
    http_store,  # noqa: ANN001 - tests.conftest.ServedStore
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
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
