"""How a task's model sees a spec's plain input: BOS first, EOS last for some tasks, which
positions are scored.

A spec is a RASP program over the task's plain input (no BOS, no EOS) that outputs one value
per token. A model trained on a task reads `<s> x1..xm` (and the task's `eos` after it, see
tpc.tasks.registry) and is scored only where the task's labels are not `<pad>`: never at BOS
or EOS, and, where the spec itself outputs `<pad>` (induction's number positions), not there either.
`TaskView` wraps a model-style artifact so that it takes and returns exactly what the spec
does; `verify` then compares the two by `str()` (a label "3" equals a spec's int 3).
"""

from __future__ import annotations

from typing import Sequence

import attrs
import numpy as np

from tpc.errors import TpcError
from tpc.tasks.generators import EOS, PAD
from tpc.tasks.registry import TASKS, task_names
from tpc.verify.runnables import Runnable, exact_key

#: the spec output meaning "not scored here" (the task's own pad label)
UNSCORED = PAD


@attrs.frozen
class Convention:
    """A model's input convention: BOS first (always), then the plain tokens, then `eos`."""

    name: str
    eos: str | None = None


# The tasks with a spec (tpc.tasks.registry): their models read `<s> x1..xm` and the task's eos.
TASK_CONVENTIONS = {name: Convention(name, TASKS[name].eos) for name in task_names(spec=True)}
#: for models not trained by `tpc train` on a known task
GENERIC_CONVENTIONS = {"bos": Convention("bos"), "bos-eos": Convention("bos-eos", EOS)}


def convention_for(name: str) -> Convention:
    known = {**TASK_CONVENTIONS, **GENERIC_CONVENTIONS}
    if name not in known:
        raise TpcError(f"unknown task or convention {name!r} (known: {', '.join(known)})")
    return known[name]


class TaskView(Runnable):
    """A model-style side (BOS first, an output at every position) seen as the spec sees it:
    plain tokens in, one output per plain token out (BOS's and EOS's outputs dropped)."""

    implicit_bos = True
    task_view = True

    def __init__(self, inner: Runnable, convention: Convention):
        if inner.implicit_bos:
            raise TpcError(
                f"{inner.label} takes plain tokens already (it is not a model of a task); "
                "compare it with the spec without --task"
            )
        self.inner, self.convention = inner, convention
        self.kind, self.label = inner.kind, inner.label
        self.outputs, self.main_output = inner.outputs, inner.main_output
        self.batch_positions = inner.batch_positions
        self.typed = getattr(inner, "typed", True)
        eos = convention.eos
        if inner.vocab is None:
            raise TpcError(f"{inner.label} fixes no vocabulary; a task model must")
        keys = [exact_key(t) for t in inner.vocab]
        if eos is not None and exact_key(eos) not in keys:
            raise TpcError(
                f"{inner.label}: the {convention.name} convention ends inputs with {eos}, "
                f"which is not among the model's tokens ({' '.join(map(str, inner.vocab))})"
            )
        self._eos = None if eos is None else inner.vocab[keys.index(exact_key(eos))]
        self.vocab = tuple(t for t in inner.vocab if eos is None or exact_key(t) != exact_key(eos))
        self.max_len = inner.max_len - (eos is not None)

    def output_name(self, requested):
        return self.inner.output_name(requested)

    def use_vocab(self, tokens: Sequence) -> None:
        super().use_vocab(tokens)
        self.inner.use_vocab(list(tokens) + ([] if self._eos is None else [self._eos]))

    def _model_ids(self, idx: np.ndarray) -> np.ndarray:
        if self._eos is None:
            return idx
        return np.concatenate(
            [idx, np.full((idx.shape[0], 1), len(self.tokens), dtype=idx.dtype)], 1
        )

    def run_ids(self, idx, outputs, canon):
        stop = idx.shape[1] + 1  # BOS's output is column 0; EOS's (if any) is dropped
        return {
            o: r[:, 1:stop]
            for o, r in self.inner.run_ids(self._model_ids(idx), outputs, canon).items()
        }

    def run_values(self, seq, outputs):
        full = list(seq) + ([] if self._eos is None else [self._eos])
        return {
            o: list(v[1 : len(seq) + 1]) for o, v in self.inner.run_values(full, outputs).items()
        }

    def display_input(self, seq: Sequence) -> list:
        """The input as the model reads it."""
        return [self.inner.bos, *seq, *([] if self._eos is None else [self._eos])]
