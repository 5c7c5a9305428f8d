"""Runs extraction in a child process with a memory cap and a time limit.

A decompression bomb, a glyph bomb or a PDFium abort (SIGABRT under memory pressure) then
costs one document an error, never the worker. The child is long-lived (imports and fonts
are paid once) and is replaced after it dies, times out or has served `max_jobs` documents
(pdfplumber leaks a little per document).
"""

import logging
import multiprocessing as mp
import resource
import threading
from multiprocessing.connection import Connection
from typing import Any

from extract.findings import diagnose, extract_findings, failed
from shared.events import ExtractionError, Findings
from shared.media import PDF

log = logging.getLogger(__name__)


def _child(conn: Connection, memory_limit_bytes: int) -> None:
    if memory_limit_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit_bytes, memory_limit_bytes))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        kind, data, file, max_pages, media_type = job
        try:
            if kind == "diagnose":
                error = diagnose(data, max_pages)
                result: Any = {"error": error.model_dump() if error else None}
            else:
                result = extract_findings(data, file, max_pages, media_type).model_dump(mode="json")
        except MemoryError:
            result = {"error": {"code": "too_large", "message": "ran out of memory while parsing"}}
        except Exception as exc:  # noqa: BLE001 - a parser bug: retried, then this document's error
            result = {"error": {"code": "crashed", "message": f"the parser raised {type(exc).__name__}: {exc}"}}
        conn.send(result)


class Sandbox:
    def __init__(self, memory_limit_mb: int, timeout_s: float, max_pages: int, max_jobs: int = 200) -> None:
        self.memory_limit_bytes = memory_limit_mb * 1024 * 1024
        self.timeout_s = timeout_s
        self.max_pages = max_pages
        self.max_jobs = max_jobs
        self._ctx = mp.get_context("spawn")  # no inherited threads or sockets
        self._proc: Any = None
        self._conn: Connection | None = None
        self._jobs = 0
        self._lock = threading.Lock()

    def _start(self) -> None:
        parent, child = self._ctx.Pipe()
        self._proc = self._ctx.Process(
            target=_child, args=(child, self.memory_limit_bytes), daemon=True, name="extract-sandbox"
        )
        self._proc.start()
        child.close()
        self._conn, self._jobs = parent, 0

    def _stop(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.join(5)
        if self._conn is not None:
            self._conn.close()
        self._proc, self._conn = None, None

    def close(self) -> None:
        with self._lock:
            self._stop()

    def run(self, data: bytes, file: str | None = None, media_type: str = PDF) -> Findings:
        """Blocking: the findings of one document (call it from a thread)."""
        with self._lock:
            result = self._call(("extract", data, file, self.max_pages, media_type))
            if result.get("code") == "crashed" and media_type == PDF:
                # Ask why, in a fresh child: a bomb is worth naming as such.
                why = self._call(("diagnose", data, file, self.max_pages, media_type))
                if why.get("error"):
                    return failed(data, ExtractionError(**why["error"]), file)
        if "code" in result:
            return failed(data, ExtractionError(**result), file)
        if "sha256" not in result:
            return failed(data, ExtractionError(**result["error"]), file)
        return Findings.model_validate(result)

    def _call(self, job: tuple) -> dict:
        """One job in the child; a dict {code, message} when the child died or timed out."""
        if self._proc is None or not self._proc.is_alive() or self._jobs >= self.max_jobs:
            self._stop()
            self._start()
        self._jobs += 1
        try:
            self._conn.send(job)
            if not self._conn.poll(self.timeout_s):
                self._stop()
                return {"code": "timeout", "message": f"parsing took over {self.timeout_s:g} s"}
            return self._conn.recv()
        except (EOFError, OSError):
            code = self._proc.exitcode if self._proc else None
            self._stop()
            return {"code": "crashed", "message": f"the parser process died (exit code {code})"}
