"""How far one web import has got, for the page that sent it (core/static/js/import_progress.js polls it).

The request that reads, checks and writes the file records its phase and counts in a small JSON file beside the
stashed uploads (instance/import-progress/): not in a table, because the import's own transaction is open while it
writes (SQLite would block a second writer), and the poll may reach another gunicorn worker. The page makes up
the id (32 hex digits) and sends it with the form; the file is scoped to the commission like the stash.
"""
from __future__ import annotations

import json
import os
import re
import time
from typing import Optional

PROGRESS_ID = re.compile(r"[0-9a-f]{32}")
# Under the instance folder, apart from the stashed uploads (those live in the file storage, which may be the
# database); progress is per host, read back by the host's own workers.
PROGRESS_DIR = "import-progress"
PHASES = ("read", "check", "place", "write", "done")
MIN_INTERVAL_S = 0.25  # at most four writes a second, whatever the batch size


def progress_path(folder: str, fc_id: int, progress_id: str) -> Optional[str]:
    if not PROGRESS_ID.fullmatch(progress_id or ""):
        return None
    return os.path.join(folder, f"{fc_id}-{progress_id}.progress")


class ImportProgress:
    """Callable as intake.plan_file's ``progress`` (stage, done, total); ``writing`` gives apply_plan's."""

    def __init__(self, path: Optional[str]) -> None:
        self.path, self.last, self.phase = path, 0.0, None

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if self.path is None or (phase == self.phase and done < total and now - self.last < MIN_INTERVAL_S):
            return
        self.phase, self.last = phase, now
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        partial = f"{self.path}.tmp"
        with open(partial, "w", encoding="utf-8") as handle:
            json.dump({"phase": phase, "done": done, "total": total}, handle)
        os.replace(partial, self.path)  # a poll never reads half a file

    def writing(self, total: int):
        written = [0]
        self("write", 0, total)

        def step(rows: int) -> None:
            written[0] += rows
            self("write", written[0], total)

        return step


def read_progress(path: Optional[str]) -> Optional[dict]:
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            found = json.load(handle)
    except (OSError, ValueError):
        return None
    if found.get("phase") not in PHASES:
        return None
    return {"phase": found["phase"], "done": int(found.get("done", 0)), "total": int(found.get("total", 0))}
