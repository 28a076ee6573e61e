"""The sellscope BentoML service: score uploaded videos and scripts over HTTP.

Endpoints (all POST unless said; JSON out, errors as ``{"error": code, "detail": msg}``):

- ``/score``: one video (multipart field ``video``) + optional metadata -> report JSON;
- ``/score_html``: the same, answered with the self-contained HTML report;
- ``/score_script``: a script or transcript (``text``) + optional metadata -> report JSON;
- ``/score_async/submit|status|get``: ``/score`` as a background task (long videos);
- ``/score_batch/submit|status|get``: several videos (field ``videos``) as one task, run
  by the batch code of ``sellscope batch`` (``service.http.batch_task``): a report or an
  error per video, plus the batch's result rows;
- ``/render_html``: a report JSON -> its HTML page (what the web page shows);
- GET ``/models``: the model versions in use; GET ``/ui``: the web page;
- BentoML's own ``/healthz``, ``/livez``, ``/readyz``, ``/metrics``, ``/docs.json``, ``/``.

Start it with ``sellscope serve`` or ``bentoml serve service.http.app:Sellscope``.
Settings (environment): ``SELLSCOPE_API_TOKEN``, ``SELLSCOPE_MAX_UPLOAD_MB``,
``SELLSCOPE_MAX_BATCH_MB``, ``SELLSCOPE_MAX_BATCH_FILES``, ``SELLSCOPE_MAX_DURATION_S``,
``SELLSCOPE_WORKERS``, ``SELLSCOPE_HTTP_TIMEOUT_S``, ``BENTOML_HOME`` (the model store).
"""

from __future__ import annotations

import os
from pathlib import Path

import bentoml
from bentoml.models import BentoModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from service.domain import CATEGORIES
from service.http.auth import BearerAuthMiddleware, token_from_env
from service.http.errors import ErrorShapeMiddleware, guarded
from service.http.limits import BodySizeMiddleware, Limits, check_video
from service.http.loading import Engine, ModelRefs, load_engine
from service.http.page import page_routes
from service.http.schemas import (
    BatchResult,
    Category,
    Count,
    Currency,
    Language,
    ModelsInfo,
    PageConfig,
    Price,
    Rate,
    Script,
    Text,
    to_meta,
)
from service.http.uploads import refuse_remote_files, staged
from service.meta import VideoMeta
from service.report.schema import REPORT_SCHEMA_VERSION, Report

REFS = ModelRefs.resolve()  # exact tags: the Bento carries them, the workers load them
LIMITS = Limits.from_env()
WORKERS = int(os.environ.get("SELLSCOPE_WORKERS", "1"))
TIMEOUT_S = float(os.environ.get("SELLSCOPE_HTTP_TIMEOUT_S", "900"))

refuse_remote_files()


@bentoml.service(name="sellscope", workers=WORKERS, traffic={"timeout": TIMEOUT_S})
class Sellscope:
    """Scores short product videos: hook, selling points, seed vs sell, conversion, fixes."""

    asr_model = BentoModel(REFS.tags["asr"])
    ocr_model = BentoModel(REFS.tags["ocr"])
    faces_model = BentoModel(REFS.tags["faces"])
    langid_model = BentoModel(REFS.tags["langid"])
    heads_model = BentoModel(REFS.tags["heads"])
    encoder_model = BentoModel(REFS.tags["encoder"])
    if "conversion" in REFS.tags:
        conversion_model = BentoModel(REFS.tags["conversion"])

    def __init__(self) -> None:
        self.engine: Engine = load_engine(REFS)
        self.limits = LIMITS

    # ------------------------------------------------------------ one video

    @bentoml.api(route="/score")
    def score(
        self,
        video: Path,
        language: Language = None,
        product_name: Text = None,
        category: Category = None,
        price: Price = None,
        currency: Currency = None,
        views: Count = None,
        creator_id: Text = None,
        creator_followers: Count = None,
        creator_cvr: Rate = None,
    ) -> Report:
        """Score one uploaded video; the report JSON."""
        meta = to_meta(locals())
        return guarded(self._score_video, video, language, meta)

    @bentoml.api(route="/score_html")
    def score_html(
        self,
        video: Path,
        language: Language = None,
        product_name: Text = None,
        category: Category = None,
        price: Price = None,
        currency: Currency = None,
        views: Count = None,
        creator_id: Text = None,
        creator_followers: Count = None,
        creator_cvr: Rate = None,
    ) -> str:
        """Score one uploaded video; the HTML report page."""
        meta = to_meta(locals())
        out = guarded(self._score_video, video, language, meta)
        return out if isinstance(out, Response) else _html(out)

    @bentoml.task(route="/score_async")
    def score_async(
        self,
        video: Path,
        language: Language = None,
        product_name: Text = None,
        category: Category = None,
        price: Price = None,
        currency: Currency = None,
        views: Count = None,
        creator_id: Text = None,
        creator_followers: Count = None,
        creator_cvr: Rate = None,
    ) -> Report:
        """``/score`` as a task: submit, poll ``status``, then ``get`` the report JSON."""
        meta = to_meta(locals())
        return guarded(self._score_video, video, language, meta)

    @bentoml.task(route="/score_batch")
    def score_batch(
        self,
        videos: list[Path],
        language: Language = None,
        product_name: Text = None,
        category: Category = None,
        price: Price = None,
        currency: Currency = None,
        views: Count = None,
        creator_id: Text = None,
        creator_followers: Count = None,
        creator_cvr: Rate = None,
    ) -> BatchResult:
        """Several videos as one task (the same metadata for each); a report or an error each."""
        meta = to_meta(locals())
        return guarded(self._score_batch, videos, language, meta)

    # ------------------------------------------------------------ scripts and pages

    @bentoml.api(route="/score_script")
    def score_script(
        self,
        text: Script,
        language: Language = None,
        product_name: Text = None,
        category: Category = None,
        price: Price = None,
        currency: Currency = None,
        views: Count = None,
        creator_id: Text = None,
        creator_followers: Count = None,
        creator_cvr: Rate = None,
    ) -> Report:
        """Score a script or transcript before filming (the hook: what is said in its first 3 s)."""
        from service.pipeline import score_script

        meta = to_meta(locals())
        scored = guarded(score_script, text, language, meta, self.engine.scorers)
        return scored if isinstance(scored, Response) else scored.report()

    @bentoml.api(route="/render_html")
    async def render_html(self, report: Report) -> str:
        """A report JSON as its self-contained HTML page (async: never queues behind scoring)."""
        return _html(report)

    # ------------------------------------------------------------ the work

    def _score_video(self, upload: Path, language: str | None, meta: VideoMeta) -> Report:
        from service.pipeline import score_video

        with staged([upload]) as (path,):
            check_video(path, self.limits)
            e = self.engine
            return score_video(path, language, meta, e.evidence, e.scorers, e.options).report()

    def _score_batch(
        self, uploads: list[Path], language: str | None, meta: VideoMeta
    ) -> BatchResult:
        from service.http.batch_task import score_uploads

        return score_uploads(uploads, language, meta, self.engine, self.limits)


def _html(report: Report) -> HTMLResponse:
    from service.report.html import render_html

    return HTMLResponse(render_html(report), headers={"X-Content-Type-Options": "nosniff"})


# ---------------------------------------------------------------- GET routes


def _page_config() -> PageConfig:
    return PageConfig(
        auth_required=token_from_env() is not None,
        max_upload_mb=LIMITS.max_upload_mb,
        max_batch_files=LIMITS.max_batch_files,
        max_duration_s=LIMITS.max_duration_s,
        categories=list(CATEGORIES),
    )


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("sellscope")
    except metadata.PackageNotFoundError:  # a Bento without the package metadata
        return "unknown"


async def _models(_: Request) -> Response:
    instance = bentoml.get_current_service()
    tags = instance.engine.tags if isinstance(instance, Sellscope.inner) else REFS.tags
    info = ModelsInfo(
        models=tags, sellscope_version=_version(), report_schema_version=REPORT_SCHEMA_VERSION
    )
    return JSONResponse(info.model_dump())


_extra = Starlette(routes=[*page_routes(_page_config), Route("/models", _models, methods=["GET"])])
Sellscope.mount_asgi_app(_extra, path="/", name="sellscope-extra")
# first added = outermost: authenticate, then bound the body, then shape every error
Sellscope.add_asgi_middleware(BearerAuthMiddleware)
Sellscope.add_asgi_middleware(BodySizeMiddleware, limits=LIMITS)
Sellscope.add_asgi_middleware(ErrorShapeMiddleware)
