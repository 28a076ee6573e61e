"""Which model versions the service carries, and loading them once per worker.

Tags are resolved when the service module is imported: the base models and the scoring
heads at their latest version, the encoder the heads sit on at the version they name,
and the conversion model at its served (promoted) version. The service declares each as a
``bentoml.models.BentoModel``, so ``bentoml build`` packs exactly these versions into the
Bento; each worker then loads exactly these versions, never "whatever is latest now".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from models.base_import import FACES, LANGID, OCR, WHISPER
from models.conversion import CONVERSION_MODEL
from models.heads import HEADS_MODEL
from models.store import get_model, resolve_served
from service.errors import ModelMissingError
from service.extract import EvidenceModels, ExtractOptions
from service.pipeline import Scorers

log = logging.getLogger("sellscope.http")

# role -> store name of the models extraction needs (the roles of EvidenceModels.tags)
EVIDENCE_ROLES: dict[str, str] = {"asr": WHISPER, "ocr": OCR, "faces": FACES, "langid": LANGID}


@dataclass(frozen=True)
class ModelRefs:
    """The exact store tags the service uses, by role (``conversion`` may be absent)."""

    tags: dict[str, str]

    @classmethod
    def resolve(cls) -> ModelRefs:
        """Resolve every tag in the current model store (``$BENTOML_HOME``).

        Raises:
            ModelMissingError: a base model or the scoring heads are not stored (the
                message names the command that makes them). A missing conversion model
                only leaves predictions out, as in the library.
        """
        tags = {role: get_model(name).tag for role, name in EVIDENCE_ROLES.items()}
        heads = get_model(HEADS_MODEL, fix="sellscope train heads")
        tags["heads"] = heads.tag
        base = str(heads.metadata.get("base_model", ""))
        if ":" not in base:
            raise ModelMissingError(f"{heads.tag} does not name the encoder it was trained on")
        name, version = base.split(":", 1)
        tags["encoder"] = get_model(name, version).tag
        try:
            version = resolve_served(CONVERSION_MODEL)
            fix = "sellscope train conversion"
            tags["conversion"] = get_model(CONVERSION_MODEL, version, fix=fix).tag
        except ModelMissingError as e:
            log.warning("serving without conversion predictions: %s", e)
        return cls(tags)

    def version(self, role: str) -> str:
        """The version part of the tag of ``role``."""
        return self.tags[role].split(":", 1)[1]


@dataclass(frozen=True)
class Engine:
    """Everything ``score_video`` needs, loaded."""

    evidence: EvidenceModels
    scorers: Scorers
    options: ExtractOptions

    @property
    def tags(self) -> dict[str, str]:
        """role -> tag of every loaded model."""
        encoder = str(self.scorers.heads.metadata.get("base_model", ""))
        return {**self.evidence.tags, **self.scorers.tags, "encoder": encoder}


def load_engine(refs: ModelRefs, options: ExtractOptions | None = None) -> Engine:
    """Load every model of ``refs`` (seconds; once per worker)."""
    from models import runtime
    from models.conversion import load_conversion
    from models.heads import load_scorer

    w = runtime.whisper(refs.version("asr"))
    o = runtime.ocr(refs.version("ocr"))
    f = runtime.face_detector(refs.version("faces"))
    lid = runtime.language_identifier(refs.version("langid"))
    evidence = EvidenceModels(
        asr=w.model,
        ocr=o.model,
        faces=f.model,
        langid=lid.model,
        tags={"asr": w.tag, "ocr": o.tag, "faces": f.tag, "langid": lid.tag},
    )
    heads = load_scorer(refs.version("heads"))
    conversion, conversion_tag = None, None
    if "conversion" in refs.tags:
        conversion, conversion_tag = load_conversion(refs.version("conversion"))
    return Engine(
        evidence, Scorers(heads, conversion, conversion_tag), options or ExtractOptions.from_env()
    )
