"""Every task tpc trains on, one record each: where its examples come from, how its model
reads them, its spec, and the architecture and schedule `tpc train` gives it by default.

The CLI's help, verify's input conventions and `tpc train`'s defaults are derived from these
records. Adding a synthetic task is one record here, its generator (generators.py) and its
spec (examples/specs/NAME.rasp). Torch-free: the CLI's help texts read it.
"""

from __future__ import annotations

from typing import Callable

import attrs

from tpc.errors import TpcError
from tpc.tasks import generators as gen
from tpc.tasks.generators import EOS, PAD, UNK


@attrs.frozen
class Architecture:
    """A Transformer Program's sizes as `tpc train` builds it; defaults are the paper's
    (PAPER.md section 4). Field names are `tpc train`'s options."""

    layers: int = 3
    cat_heads: int = 4
    num_heads: int = 4
    cat_mlps: int = 2
    num_mlps: int = 2
    mlp_vars_in: int = 2
    mlp_width: int = 64
    embed_vars: int = 0  # learned categorical token embeddings; 0: the one-hot token variable
    dropout: float = 0.0  # on MLP hidden units while training
    # The narrowest variable slot: the model's is max(this, context); None: max(vocabulary,
    # context), as the reference. Not an option default: it depends on the data.
    min_d_var: int | None = None


@attrs.frozen
class Schedule:
    """How `tpc train` trains by default (the paper's)."""

    epochs: int = 250
    batch_size: int = 512
    lr: float = 5e-2
    tau_init: float = 3.0
    tau_end: float = 0.01
    dataset_size: int = 20000


@attrs.frozen
class Task:
    """One task. A synthetic task has a generator (tokens ``<s> x1..xm`` and, when `eos` is
    set, `eos` last); a text task (`generate` None) reads its sentences from `--data`."""

    name: str
    generate: Callable | None = None
    # The spec's file under examples/specs: a RASP program over the plain input.
    spec: str | None = None
    # The token the model reads after the plain input (BOS always comes first).
    eos: str | None = None
    causal: bool = False
    vocab_size: int = 8  # tokens including the special ones; text: the most frequent words kept
    vocab_fixed: bool = False  # the generator ignores a requested vocab_size (the reference's Dyck)
    # The smallest vocab_size the generator draws inputs from (unless fixed): the tokens it
    # reserves (<pad>, <s>, and </s> where inputs end with it) and one value (induction: a
    # letter and a number).
    min_vocab_size: int = 3
    min_length: int | None = 1
    max_length: int = 8  # the longest input in tokens; text: most words per sentence
    # Labels the readout's argmax never picks (induction must predict <unk>).
    masked_labels: tuple[str, ...] = (PAD, UNK)
    pooled: bool = False  # one label per text, read at position 0 from every position's scores
    architecture: Architecture = Architecture()
    schedule: Schedule = Schedule()

    @property
    def text(self) -> bool:
        return self.generate is None

    def option_defaults(self) -> dict:
        """`tpc train`'s option name -> this task's default (the data-dependent `d_var` aside)."""
        arch = attrs.asdict(self.architecture)
        del arch["min_d_var"]
        return {
            "vocab_size": self.vocab_size,
            "max_length": self.max_length,
            "min_length": self.min_length,
            "causal": self.causal,
            **arch,
            **attrs.asdict(self.schedule),
        }

    def d_var(self, n_tokens: int, n_ctx: int) -> int:
        """The default width of a variable slot, for `n_tokens` tokens and `n_ctx` positions."""
        floor = self.architecture.min_d_var
        return max(n_tokens if floor is None else floor, n_ctx)


def _synthetic(name: str, generate: Callable, **kw) -> Task:
    return Task(name, generate, spec=f"{name}.rasp", **kw)


def _text(name: str, max_words: int, d_var: int, **kw) -> Task:
    # Sentences are framed <s> words </s>. The paper's classification scripts' sizes: 4 learned
    # word variables, no numerical heads or MLPs, batches of 128 (docs/results.md, "Text
    # defaults": the synthetic tasks' sizes reach 19% on an easy question set, these 100%, and
    # numerical MLPs' tables do not fit in memory at 64 words).
    return Task(
        name,
        None,
        eos=EOS,
        vocab_size=10000,
        min_length=None,
        max_length=max_words,
        masked_labels=(PAD,),
        architecture=Architecture(
            layers=2, num_heads=0, cat_mlps=1, num_mlps=0, embed_vars=4, min_d_var=d_var
        ),
        schedule=Schedule(batch_size=128),
        **kw,
    )


TASKS: dict[str, Task] = {
    task.name: task
    for task in [
        # PAPER.md section 5; sort and reverse end their input with </s>.
        _synthetic("reverse", gen.reverse, eos=EOS, min_vocab_size=4),
        _synthetic("hist", gen.hist),
        _synthetic("double_hist", gen.double_hist),
        _synthetic("sort", gen.sort, eos=EOS, min_vocab_size=4),
        _synthetic("most_freq", gen.most_freq),
        # The reference forces the bracket-kind count into vocab_size for Dyck.
        _synthetic(
            "dyck1",
            gen.dyck1,
            vocab_size=1,
            vocab_fixed=True,
            min_length=16,
            max_length=16,
            causal=True,
        ),
        _synthetic(
            "dyck2",
            gen.dyck2,
            vocab_size=2,
            vocab_fixed=True,
            min_length=16,
            max_length=16,
            causal=True,
        ),
        _synthetic(
            "induction",
            gen.induction,
            vocab_size=10,
            min_vocab_size=4,
            min_length=9,
            max_length=9,
            causal=True,
            masked_labels=(),
        ),
        _text("conll", 30, 32),
        _text("classify", 64, 64, pooled=True),
    ]
}


#: a user's own task: `spec:FILE.rasp` or `data:FILE.jsonl` (tpc.tasks.user)
USER_TASK_PREFIXES = ("spec:", "data:")


def get_task(name: str) -> Task:
    """The record of task `name`; a user's own task's record is built from its file."""
    if name.startswith(USER_TASK_PREFIXES):
        from tpc.tasks.user import user_task_fields  # lazy: reads the user's file

        return Task(**user_task_fields(name))
    if name not in TASKS:
        raise TpcError(
            f"unknown task {name!r} (known: {', '.join(TASKS)}, spec:FILE.rasp, data:FILE.jsonl)"
        )
    return TASKS[name]


def is_text_task(name: str | None) -> bool:
    return name in TASKS and TASKS[name].text


def task_names(text: bool | None = None, spec: bool | None = None) -> list[str]:
    """The tasks' names, only text (or only synthetic) ones, only those with a spec, when asked."""
    return [
        t.name
        for t in TASKS.values()
        if (text is None or t.text == text) and (spec is None or (t.spec is not None) == spec)
    ]


def describe_default(option: str) -> str:
    """A help text's default for `tpc train`'s `option` (or "d_var"): the most common value
    across the tasks that use it, then the tasks that differ ("8; dyck1 1; dyck2 2; ...")."""
    by_value: dict[str, list[str]] = {}
    for task in TASKS.values():
        if option == "d_var":
            floor = task.architecture.min_d_var
            value = f"max({'vocabulary' if floor is None else floor}, context)"
        else:
            value = task.option_defaults()[option]
        if value is not None:  # the task does not use the option (a text task's min_length)
            by_value.setdefault(str(value).lower(), []).append(task.name)
    common, *others = sorted(by_value, key=lambda v: -len(by_value[v]))
    return "; ".join([common, *(f"{', '.join(by_value[v])} {v}" for v in others)])
