"""The API's case JSON as bytes, each step's JSON encoded once.

A case's steps never change once written, and its history only grows, so the text of each step is kept
(``StepTexts``) and joined into the answer again on the next write or read of the case. A kept text is used
only for the step it was encoded from, or one equal to it: the store hands back the same step objects while
it keeps the case, and equal new ones when it reads the case again from the database (another worker wrote
it), which cost a comparison instead of an encoding. A step's JSON is made of its fields alone, so equal
steps have the same text. The bytes are those Starlette's ``JSONResponse`` writes for the same data.
"""

from __future__ import annotations

import functools
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence

from starlette.responses import Response

from workflow import Step
from workflow.store import DueItem, StoredCase, Written, case_json, step_json

#: how many steps' texts are kept, over all cases (the least recently answered cases are let go first)
STEPS_KEPT = 50_000

#: ``json.dumps`` as ``JSONResponse`` calls it
dumps = functools.partial(json.dumps, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":"))

_NO_HISTORY = '"history":[]}'


class EncodedJSON(Response):
    """A JSON answer whose body is already encoded."""

    media_type = "application/json"


class StepTexts:
    """Each case's steps' JSON texts, kept beside the step objects they were encoded from."""

    def __init__(self, steps_kept: int = STEPS_KEPT) -> None:
        self.steps_kept = steps_kept
        self._kept: OrderedDict[str, tuple[tuple[Step, ...], tuple[str, ...]]] = OrderedDict()
        self._count = 0
        self._lock = threading.Lock()
        #: steps whose kept text was used, and steps encoded (for tests and figures)
        self.reused = self.encoded = 0

    def texts(self, case_id: str, history: Sequence[Step]) -> tuple[str, ...]:
        """The JSON text of each step of ``history``, the history of case ``case_id``."""
        with self._lock:
            kept_steps, kept_texts = self._kept.get(case_id, ((), ()))
        out: list[str] = []
        reused = 0
        for i, st in enumerate(history):
            if i < len(kept_steps) and (kept_steps[i] is st or kept_steps[i] == st):
                out.append(kept_texts[i])
                reused += 1
            else:
                out.append(dumps(step_json(st)))
        texts = tuple(out)
        with self._lock:
            self.reused += reused
            self.encoded += len(texts) - reused
            earlier = self._kept.pop(case_id, None)
            if earlier is not None:
                self._count -= len(earlier[0])
            if len(texts) <= self.steps_kept:
                self._kept[case_id] = (tuple(history), texts)
                self._count += len(texts)
            while self._count > self.steps_kept:
                _, (gone, _) = self._kept.popitem(last=False)
                self._count -= len(gone)
        return texts

    def __len__(self) -> int:
        """How many steps' texts are kept."""
        return self._count


def case_text(case: StoredCase, due: Iterable[DueItem], texts: StepTexts) -> str:
    """The case JSON (``workflow.store.case_json``) as text."""
    head = dumps(case_json(case, due, with_history=False))
    assert head.endswith(_NO_HISTORY), "the case JSON ends with its history"
    steps = ",".join(texts.texts(case.id, case.history))
    return head[: -len(_NO_HISTORY)] + '"history":[' + steps + "]}"


def fired_text(written: Written, texts: StepTexts) -> str:
    """A fired event's answer, ``{"step": …, "case": …}``, as text."""
    return f'{{"step":{dumps(step_json(written.step))},"case":{case_text(written.case, written.due, texts)}}}'
