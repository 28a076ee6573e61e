"""Uploaded files: a private folder per request, the client's file name, nothing left behind.

BentoML writes each uploaded file to a per-request temporary folder under a random name
with the client's file name as suffix. The file is moved into a folder of our own under
the client's (sanitised) name, so the report and the error messages name the file the
user sent, never a server path, and the folder is removed when the request ends, whether
it succeeded or failed.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DEFAULT_NAME = "upload"
MAX_NAME_CHARS = 120
# tempfile.NamedTemporaryFile's names: "tmp" + 8 characters, then the suffix we gave it
_TEMP_PREFIX = re.compile(r"^tmp[a-z0-9_]{8}")
_UNSAFE = re.compile(r"[^\w.\- ()+]+")


def client_name(upload: Path) -> str:
    """The file name the client sent, made safe to use as a file name."""
    name = _TEMP_PREFIX.sub("", upload.name)
    name = _UNSAFE.sub("_", name).strip(" .")
    if len(name) > MAX_NAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        keep = MAX_NAME_CHARS - len(ext) - 1
        name = f"{stem[:keep]}.{ext}" if dot and 0 < len(ext) <= 10 else name[:MAX_NAME_CHARS]
    return name or DEFAULT_NAME


@contextmanager
def staged(uploads: list[Path]) -> Iterator[list[Path]]:
    """Move uploaded files into one private folder; remove it (and them) on exit.

    Args:
        uploads: the files BentoML wrote for this request.

    Yields:
        The moved files, in order, under the clients' names (each in a sub-folder of its
        own, so two uploads of the same name do not collide).
    """
    folder = Path(tempfile.mkdtemp(prefix="sellscope-upload-"))
    try:
        moved = []
        for i, upload in enumerate(uploads):
            sub = folder / str(i)  # one folder per file: equal client names do not collide
            sub.mkdir()
            target = sub / client_name(upload)
            try:
                os.replace(upload, target)
            except OSError:  # another file system
                shutil.move(str(upload), target)
            moved.append(target)
        yield moved
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        for upload in uploads:
            upload.unlink(missing_ok=True)


def refuse_remote_files() -> None:
    """Make BentoML refuse a URL where a file belongs, instead of downloading it.

    BentoML fetches any text sent in a file field of a multipart form as a URL (public
    addresses only). That would let a client make the server download a file of any size
    from anywhere, past the upload limit; sellscope takes only files sent in the request.
    """
    from _bentoml_impl.serde import MultipartSerde
    from bentoml.exceptions import BadInput
    from starlette.datastructures import UploadFile

    async def ensure_file(obj: object) -> UploadFile:
        if isinstance(obj, UploadFile):
            return obj
        raise BadInput(
            "send the video file itself in a multipart upload; the server does not fetch URLs"
        )

    MultipartSerde.ensure_file = staticmethod(ensure_file)
