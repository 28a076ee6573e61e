"""The result rows of a batch and the store that keeps them safe across kills and reruns.

Every finished row is written at once as its own small JSON part file under
``RESULTS.parts/`` (temp file, fsync, ``os.replace``), so a run killed with SIGKILL loses
nothing it had finished; the Parquet file ``RESULTS`` (and its CSV copy) is rewritten the
same atomic way every few rows and at the end. A rerun reads the parts back and skips the
videos already scored with the same content, inputs and model versions.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from service.errors import InputError

log = logging.getLogger(__name__)

RESULTS_SCHEMA_VERSION = "1"
SCORED, FAILED, SKIPPED = "scored", "failed", "skipped"
STATUSES = (SCORED, FAILED, SKIPPED)
DONE = (SCORED, SKIPPED)  # rows that carry scores; a rerun does not score them again


@dataclass(frozen=True)
class ResultRow:
    """One video of a batch: who and what it is, what became of it, and its scores."""

    row: int  # manifest row (header = 1) or position in the folder (1-based)
    video: str
    file_name: str
    sha256: str | None
    creator_id: str | None
    product_id: str | None
    product_name: str | None
    status: str
    error: str | None = None
    hook_score: float | None = None
    selling_point_score: float | None = None
    seed_share: float | None = None
    sell_share: float | None = None
    cta_time_s: float | None = None
    cvr: float | None = None
    cvr_low: float | None = None
    cvr_high: float | None = None
    gpm: float | None = None
    reason_codes: str | None = None  # codes joined by ",", largest effect first
    top_reason: str | None = None  # the first reason's title
    top_fix: str | None = None  # and what to do about it
    heads_model: str | None = None
    conversion_model: str | None = None
    models: str | None = None  # JSON: role -> store tag of every model used
    models_key: str | None = None  # digest of ``models`` (resume)
    input_key: str | None = None  # digest of the language and meta asked for (resume)
    duration_s: float | None = None
    language: str | None = None
    seconds: float | None = None  # wall time to score this video
    finished_at: str | None = None  # UTC, ISO 8601

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)

    def to_json(self) -> str:
        """One line of JSON."""
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ResultRow:
        """From :meth:`to_dict` output or a table row (unknown keys ignored, NaN -> None)."""
        names = {f.name for f in fields(cls)}
        clean = {k: _none_if_nan(v) for k, v in data.items() if k in names}
        return cls(**clean)

    @classmethod
    def from_json(cls, text: str) -> ResultRow:
        """From :meth:`to_json` output."""
        return cls.from_dict(json.loads(text))

    @property
    def resume_key(self) -> tuple[str | None, str | None, str | None]:
        """What must match for a rerun to reuse this row: content, models, inputs."""
        return (self.sha256, self.models_key, self.input_key)


def _none_if_nan(v: Any) -> Any:
    return None if isinstance(v, float) and v != v else v  # noqa: PLR0124 - NaN test


def _schema():  # noqa: ANN202 - pyarrow.Schema, imported lazily
    import pyarrow as pa

    def kind(name: str, hint: str) -> pa.DataType:  # hints are strings (future annotations)
        return pa.int64() if name == "row" else pa.float64() if "float" in hint else pa.string()

    cols = [pa.field(f.name, kind(f.name, str(f.type)), f.name != "row") for f in fields(ResultRow)]
    return pa.schema(cols, metadata={"sellscope_results_schema": RESULTS_SCHEMA_VERSION})


def now_iso() -> str:
    """The current UTC time, ISO 8601 with seconds."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``path`` so that a reader (or a killed writer) never sees half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:6]}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())  # the rename must not reach the disk before the bytes
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def rows_to_table(rows: Sequence[ResultRow]):  # noqa: ANN201 - pyarrow.Table
    """The rows as an Arrow table with the fixed result schema (types kept for empty columns)."""
    import pyarrow as pa

    return pa.Table.from_pylist([r.to_dict() for r in rows], schema=_schema())


def read_results(path: str | Path) -> list[ResultRow]:
    """Read a results Parquet file back into rows."""
    import pyarrow.parquet as pq

    return [ResultRow.from_dict(d) for d in pq.read_table(path).to_pylist()]


class ResultsStore:
    """The results of one RESULTS path: part files, the Parquet file and its CSV copy.

    Use as a context manager: it holds an exclusive lock on ``RESULTS.parts/.lock`` so two
    runs cannot write the same results (the lock goes with the process, even on SIGKILL).
    """

    def __init__(self, path: str | Path, csv: bool = False) -> None:
        self.path = Path(path)
        if self.path.suffix.lower() == ".csv":
            raise InputError(
                f"{self.path}: RESULTS is the Parquet file (e.g. results.parquet); "
                "add --csv to get a CSV copy next to it"
            )
        if self.path.is_dir():
            raise InputError(f"{self.path} is a folder; give a file name, e.g. results.parquet")
        self.parts = self.path.with_name(self.path.name + ".parts")
        self.csv_path = self.path.with_suffix(".csv") if csv else None
        self._lock: int | None = None
        # what previous() read, so the run reads RESULTS and the parts once, not per step
        self._table: list[ResultRow] | None = None
        self._known: dict[Path, ResultRow] | None = None

    def __enter__(self) -> ResultsStore:
        try:
            self.parts.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise InputError(f"cannot create {self.parts} ({e}); choose another --out") from e
        fd = os.open(self.parts / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            os.close(fd)
            raise InputError(
                f"another batch run is writing {self.path}; wait for it to end or choose "
                "another --out"
            ) from e
        self._lock = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._lock is not None:
            os.close(self._lock)  # releases the flock
            self._lock = None

    def append(self, row: ResultRow) -> Path:
        """Keep one finished row (its own part file, renamed into place)."""
        name = f"{time.time_ns():020d}-{row.row:06d}-{uuid.uuid4().hex[:8]}.json"
        target = self.parts / name
        atomic_write_bytes(target, (row.to_json() + "\n").encode("utf-8"))
        if self._known is not None:
            self._known[target] = row
        return target

    def _scan_parts(self) -> dict[Path, ResultRow]:
        """Every readable part file and its row, oldest first (unreadable ones are logged)."""
        found: dict[Path, ResultRow] = {}
        if not self.parts.is_dir():
            return found
        for p in sorted(self.parts.glob("*.json")):
            try:
                found[p] = ResultRow.from_json(p.read_text(encoding="utf-8"))
            except (OSError, ValueError, TypeError) as e:
                log.warning("ignoring unreadable result part %s: %s", p.name, e)
        return found

    def _read_table(self) -> list[ResultRow]:
        if not self.path.is_file():  # the parts may have been deleted; the table still counts
            return []
        try:
            return read_results(self.path)
        except Exception as e:  # noqa: BLE001 - an old or foreign file must not stop the run
            log.warning("ignoring unreadable results %s: %s", self.path, e)
            return []

    def part_rows(self) -> Iterator[ResultRow]:
        """Rows of every part file, oldest first (an unreadable part is logged and skipped)."""
        yield from self._scan_parts().values()

    def previous(self) -> dict[tuple[str | None, str | None, str | None], ResultRow]:
        """Rows with scores from earlier runs, by resume key (the newest one wins)."""
        self._table, self._known = self._read_table(), self._scan_parts()
        best: dict[tuple[str | None, str | None, str | None], ResultRow] = {}
        for r in [*self._table, *self._known.values()]:
            if r.status not in DONE or None in r.resume_key:
                continue
            old = best.get(r.resume_key)
            if old is None or (r.finished_at or "") >= (old.finished_at or ""):
                best[r.resume_key] = r
        return best

    def keep_unlisted(self, listed: set[tuple[str | None, str | None, str | None]]) -> int:
        """Before RESULTS is rewritten for this run's input, keep the rest as part files.

        RESULTS holds the rows of one input. Scored rows in it whose resume key is not in
        ``listed`` (videos this input leaves out, or scores of other models) are written
        back as parts, unless a part has them already, so a later run can still skip them.
        Uses what :meth:`previous` read. Returns how many were written.
        """
        if self._table is None or self._known is None:
            self.previous()
        have = {r.resume_key for r in self._known.values()} | listed
        written = 0
        for r in self._table:
            if r.status in DONE and None not in r.resume_key and r.resume_key not in have:
                self.append(r)
                have.add(r.resume_key)
                written += 1
        return written

    def compact(self, table_rows: Iterable[ResultRow]) -> int:
        """Delete the part files RESULTS now makes redundant; return how many went.

        Call after :meth:`write` put ``table_rows`` in RESULTS. A failed row's part never
        serves a rerun (failures are tried again), and a part with scores is redundant
        when RESULTS holds a row with its resume key. Parts of videos this run did not
        see (an earlier, larger input) stay, so a later run with them still skips them.
        Unreadable parts are left to a person.
        """
        known = self._known if self._known is not None else self._scan_parts()
        kept = {r.resume_key for r in table_rows if r.status in DONE and None not in r.resume_key}
        removed = 0
        for p, row in list(known.items()):
            if row.status == FAILED or row.resume_key in kept:
                p.unlink(missing_ok=True)
                del known[p]
                removed += 1
        return removed

    def write(self, rows: Iterable[ResultRow]) -> None:
        """Rewrite RESULTS (and the CSV copy) atomically with ``rows``."""
        import io

        import pyarrow.parquet as pq

        table = rows_to_table(list(rows))
        buf = io.BytesIO()
        pq.write_table(table, buf)
        atomic_write_bytes(self.path, buf.getvalue())
        if self.csv_path is not None:
            text = table.to_pandas().to_csv(index=False)
            atomic_write_bytes(self.csv_path, text.encode("utf-8"))


def carried_over(prior: ResultRow, current: ResultRow) -> ResultRow:
    """An earlier run's scores under this run's identity of the video, marked skipped."""
    return replace(
        prior,
        row=current.row,
        video=current.video,
        file_name=current.file_name,
        creator_id=current.creator_id,
        product_id=current.product_id,
        product_name=current.product_name,
        status=SKIPPED,
        error=None,
    )
