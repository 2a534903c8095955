"""`tpc verify A B`: do two artifacts compute the same function?

A and B are each a checkpoint (`.pt`), a RASP program (`.rasp`), an emitted Python module
(`.py`) or an IR program (`.json`), or, from Python, an IR `Program` or a `Runnable`. They are
compared on every input of lengths `min_len..max_len` when there are at most
`exhaustive_limit` of them, else on `samples` inputs drawn by hypothesis (seeded by `seed`),
whose shrinker then reduces a differing input to a small one.

Conventions, so that artifacts of different kinds can be compared:

- **Inputs** are token sequences over one common vocabulary, counted without BOS: `max_len`
  is the number of tokens after BOS. Model-style sides (checkpoints, lifted programs,
  `#!tpc model` RASP) see `<s>` first; RASP-style sides (implicit BOS) see the tokens only.
- **Positions**: a RASP-style side outputs one value per token; a model-style side one per
  position, BOS included. When both sides are model-style every position is compared
  (BOS too); otherwise position 0 of the model-style side is dropped.
- **Values**: when one side is a checkpoint, values are compared by `str()` (a checkpoint's
  labels are strings such as "3" where a program may output the int 3), and tokens are
  matched to the checkpoint's by `str()` too. Otherwise values are compared exactly, as the
  IR does (1, True, "1" and 1/1 are different values; Fraction(2, 2) is 1).
- **Vocabulary**: `vocab` if given (every side with a fixed vocabulary must contain it), else
  a checkpoint's, else the first fixed one; fixed vocabularies must then be equal. A `.rasp`
  side is compiled over the chosen vocabulary and `max_len`.
- **Outputs**: `output` names the one to compare (a checkpoint has one output, "label"); by
  default every output when both sides are programs with the same output names, else each
  side's main output (the one named "output" if any, else the first).
- **Order**: exhaustive checks run lengths in increasing order and each length in
  lexicographic order of vocabulary indices, so the counterexample reported is the shortest
  differing input, and among those the first in vocabulary order.

Exhaustive checks enumerate inputs as index tensors (no per-sequence Python) and evaluate them
in batches: IR and RASP sides through `tpc.interp.Interpreter.evaluate`, checkpoints through the
model's hard mode (`predict`, padding id 0 is never needed since a batch has one length).
Emitted Python modules are called once per sequence (the slow path).
"""

from __future__ import annotations

import importlib.util
import itertools
import random
import time
from pathlib import Path
from typing import Sequence

import attrs
import torch

from tpc.errors import TpcError
from tpc.ir import IRError, Program, normalize, show, sort_key

DEFAULT_EXHAUSTIVE_LIMIT = 2_000_000
DEFAULT_SAMPLES = 2000

CHECKPOINT_SUFFIXES = (".pt", ".pth", ".ckpt")


# --- values ---------------------------------------------------------------------------------


def _exact_key(value):
    try:
        return sort_key(normalize(value))
    except TypeError:  # not an IR value (a foreign module's output): compare by repr
        return (9, type(value).__name__, repr(value))


class Canon:
    """Canonical integer ids of output values, shared by both sides of one check."""

    def __init__(self, by_str: bool):
        self.by_str = by_str
        self._ids: dict = {}

    def key(self, value):
        return str(value) if self.by_str else _exact_key(value)

    def id(self, value) -> int:
        return self._ids.setdefault(self.key(value), len(self._ids))

    def lookup(self, values: Sequence) -> torch.Tensor:
        """Ids of `values`, as a tensor to index with a side's value indices."""
        return torch.tensor([self.id(v) for v in values], dtype=torch.long)


# --- runnables ------------------------------------------------------------------------------


class Runnable:
    """One artifact that maps batches of inputs to per-position outputs.

    `vocab`: its token values (without BOS) in its order, or None if it takes any (a `.rasp`
    before `bind`). `max_len`: most tokens after BOS, or None. `implicit_bos`: True when it
    takes tokens without BOS and outputs one value per token.
    """

    kind = "?"
    label = "?"
    vocab: tuple | None = None
    max_len: int | None = None
    implicit_bos = True
    bos = "<s>"
    outputs: tuple = ()
    main_output = ""
    #: positions (batch x sequence length) evaluated at once
    batch_positions = 1 << 18

    def bind(self, vocab: Sequence, max_len: int) -> None:
        """Fix the domain of a side that has none (a `.rasp` is compiled here)."""

    def use_vocab(self, tokens: Sequence) -> None:
        """Inputs will be indices into `tokens` (this side's own token values)."""
        self.tokens = list(tokens)

    def run_ids(self, idx: torch.Tensor, outputs: Sequence[str], canon: Canon) -> dict:
        """idx [batch, length] (indices into the tokens of `use_vocab`) -> output name ->
        canonical ids [batch, positions] (positions include BOS unless `implicit_bos`)."""
        raise NotImplementedError

    def run_values(self, seq: Sequence, outputs: Sequence[str]) -> dict:
        """One input (token values, no BOS) -> output name -> this side's own values."""
        raise NotImplementedError

    def output_name(self, requested: str | None) -> str:
        if requested is None:
            return self.main_output
        if requested not in self.outputs:
            raise TpcError(f"{self.label} has no output {requested!r} (it has {', '.join(self.outputs)})")
        return requested


def _main_output(names: Sequence[str]) -> str:
    return "output" if "output" in names else names[0]


class ProgramRunnable(Runnable):
    """An IR program, evaluated by the batched interpreter."""

    batch_positions = 1 << 16

    def __init__(self, program: Program, label: str = "program", kind: str = "ir"):
        from tpc.interp import Interpreter

        self.program, self.label, self.kind = program, label, kind
        dom = program.domain
        self.vocab = dom.vocab
        self.implicit_bos, self.bos = dom.implicit_bos, dom.bos
        self.max_len = dom.max_len - (0 if dom.implicit_bos else 1)
        self.outputs = tuple(name for name, _ in program.outputs)
        self.main_output = _main_output(self.outputs)
        self.interp = Interpreter(program)
        self._lookups: dict = {}

    def use_vocab(self, tokens: Sequence) -> None:
        super().use_vocab(tokens)
        # Token indices the interpreter uses, read off its public encoder one token at a time.
        prefix = [] if self.implicit_bos else [self.bos]
        codes = [self.interp.encode([[*prefix, t]])[0][0].tolist() for t in self.tokens]
        if codes:
            self._bos_code = codes[0][0]
        else:
            self._bos_code = self.interp.encode([prefix])[0][0, 0].item()
        self._token_codes = torch.tensor([c[1] for c in codes], dtype=torch.long)

    def run_ids(self, idx, outputs, canon):
        batch = idx.shape[0]
        tokens = torch.cat([torch.full((batch, 1), self._bos_code), self._token_codes[idx]], 1)
        valid = torch.ones(tokens.shape, dtype=torch.bool)
        omap = self.program.output_map
        env = self.interp.evaluate(tokens, valid, [omap[o] for o in outputs])
        start = 1 if self.implicit_bos else 0
        result = {}
        for o in outputs:
            node = omap[o]
            if (node, id(canon)) not in self._lookups:
                self._lookups[node, id(canon)] = canon.lookup(self.program[node].type.values)
            result[o] = self._lookups[node, id(canon)][env[node][:, start:]]
        return result

    def run_values(self, seq, outputs):
        seq = list(seq) if self.implicit_bos else [self.bos, *seq]
        return {o: v[0] for o, v in self.interp.run([seq], outputs).items()}


class RaspRunnable(Runnable):
    """A `.rasp` file: compiled over the check's vocabulary and max_len, then interpreted."""

    kind = "rasp"

    def __init__(self, path: Path, label: str):
        self.path, self.label = path, label
        self.source = path.read_text()
        self._program: ProgramRunnable | None = None

    def _compile(self, vocab, max_len) -> Program:
        from tpc.frontend import compile_rasp

        return compile_rasp(self.source, str(self.path), vocab=tuple(vocab), max_len=max_len)

    def bind(self, vocab, max_len):
        program = self._compile(vocab, max_len)
        if not program.domain.implicit_bos:  # `#!tpc model`: max_len counts BOS
            program = self._compile(vocab, max_len + 1)
        self._program = ProgramRunnable(program, self.label, "rasp")
        for name in ("vocab", "max_len", "implicit_bos", "bos", "outputs", "main_output"):
            setattr(self, name, getattr(self._program, name))

    def __getattr__(self, name):
        if name.startswith("_") or self.__dict__.get("_program") is None:
            raise AttributeError(name)
        return getattr(self._program, name)

    def use_vocab(self, tokens):
        self._program.use_vocab(tokens)

    def run_ids(self, idx, outputs, canon):
        return self._program.run_ids(idx, outputs, canon)

    def run_values(self, seq, outputs):
        return self._program.run_values(seq, outputs)


class CheckpointRunnable(Runnable):
    """A checkpoint, run in hard mode; one output, "label", with the checkpoint's label strings."""

    kind = "checkpoint"
    implicit_bos = False
    batch_positions = 1 << 13  # ~1000 sequences: larger batches are no faster on CPU
    outputs = ("label",)
    main_output = "label"

    def __init__(self, path: Path, label: str):
        from tpc.model.checkpoint import load_checkpoint

        self.label = label
        self.model, meta = load_checkpoint(path)
        self.labels = meta.labels
        ids = {t: i for i, t in enumerate(meta.tokens)}
        if self.bos not in ids:
            raise TpcError(f"{path}: the checkpoint's tokens have no BOS {self.bos!r}")
        self._bos_id = ids[self.bos]
        self._ids = ids
        # Id 0 is padding; every other token but BOS may follow BOS.
        self.vocab = tuple(t for i, t in enumerate(meta.tokens) if i != 0 and t != self.bos)
        self.max_len = self.model.cfg.n_ctx - 1

    def output_name(self, requested):
        return "label"

    def use_vocab(self, tokens):
        super().use_vocab(tokens)
        self._token_ids = torch.tensor([self._ids[t] for t in self.tokens], dtype=torch.long)

    def _predict(self, idx):
        batch = idx.shape[0]
        ids = torch.cat([torch.full((batch, 1), self._bos_id), self._token_ids[idx]], 1)
        with torch.inference_mode():
            return self.model.predict(ids)

    def run_ids(self, idx, outputs, canon):
        if not hasattr(self, "_lookup") or self._lookup[0] is not canon:
            self._lookup = (canon, canon.lookup(self.labels))
        return {o: self._lookup[1][self._predict(idx)] for o in outputs}

    def run_values(self, seq, outputs):
        idx = torch.tensor([[self.tokens.index(t) for t in seq]], dtype=torch.long).view(1, len(seq))
        row = self._predict(idx)[0].tolist()
        return {o: [self.labels[i] for i in row] for o in outputs}


class PythonRunnable(Runnable):
    """A module emitted by `tpc.backends.python`, imported from its path, called per sequence."""

    kind = "python"
    batch_positions = 1 << 14

    _count = itertools.count()

    def __init__(self, path: Path, label: str):
        self.label = label
        name = f"_tpc_verify_module_{next(self._count)}"
        try:
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        except Exception as e:
            raise TpcError(f"{path}: cannot import it: {type(e).__name__}: {e}") from None
        missing = [c for c in ("VOCAB", "MAX_LEN", "IMPLICIT_BOS", "BOS", "OUTPUTS", "run_all")
                   if not hasattr(module, c)]
        if missing:
            raise TpcError(f"{path}: not a module emitted by tpc (it lacks {', '.join(missing)})")
        self.module = module
        self.vocab = tuple(module.VOCAB)
        self.implicit_bos, self.bos = bool(module.IMPLICIT_BOS), module.BOS
        self.max_len = module.MAX_LEN - (0 if self.implicit_bos else 1)
        self.outputs = tuple(module.OUTPUTS)
        self.main_output = getattr(module, "MAIN_OUTPUT", None) or _main_output(self.outputs)

    def _call(self, seq):
        seq = list(seq) if self.implicit_bos else [self.bos, *seq]
        try:
            return self.module.run_all(seq)
        except Exception as e:
            raise TpcError(f"{self.label} failed on {seq!r}: {type(e).__name__}: {e}") from None

    def run_ids(self, idx, outputs, canon):
        rows = {o: [] for o in outputs}
        for row in idx.tolist():
            result = self._call([self.tokens[i] for i in row])
            for o in outputs:
                rows[o].append([canon.id(v) for v in result[o]])
        width = idx.shape[1] + (0 if self.implicit_bos else 1)
        return {o: torch.tensor(r, dtype=torch.long).view(len(r), width) for o, r in rows.items()}

    def run_values(self, seq, outputs):
        result = self._call(seq)
        return {o: list(result[o]) for o in outputs}


def load(path) -> Runnable:
    """The runnable for a file, by its extension (.pt/.pth/.ckpt, .rasp, .py, .json)."""
    from tpc.ir import from_json

    path = Path(path)
    label = path.name
    suffix = path.suffix.lower()
    known = (*CHECKPOINT_SUFFIXES, ".rasp", ".py", ".json")
    if suffix not in known:
        raise TpcError(f"{path}: unknown kind of file (expected {', '.join(known)})")
    if not path.is_file():
        raise TpcError(f"{path}: no such file")
    if suffix in CHECKPOINT_SUFFIXES:
        return CheckpointRunnable(path, label)
    if suffix == ".rasp":
        return RaspRunnable(path, label)
    if suffix == ".py":
        return PythonRunnable(path, label)
    try:
        program = from_json(path.read_text())
    except IRError as e:
        raise TpcError(f"{path}: {e}") from None
    except UnicodeDecodeError:
        raise TpcError(f"{path}: not a text file") from None
    return ProgramRunnable(program, label, "ir")


def as_runnable(x) -> Runnable:
    if isinstance(x, Runnable):
        return x
    if isinstance(x, Program):
        return ProgramRunnable(x)
    return load(x)


# --- results --------------------------------------------------------------------------------


def _show_list(values) -> str:
    return "[" + ", ".join(show(v) for v in values) + "]"


def _json_value(v):
    if v is None or isinstance(v, (bool, int, str)):
        return v
    return show(v)


@attrs.frozen
class Counterexample:
    input: list  # as the caller passes it to both sides (BOS first when both are model-style)
    output: str | None  # which output differs, when several are compared
    a: list
    b: list


@attrs.frozen
class VerifyResult:
    a: str
    b: str
    inputs: int
    equivalent: bool
    mode: str  # "exhaustive" or "sampled"
    min_len: int
    max_len: int
    seconds: float
    counterexample: Counterexample | None = None
    seed: int | None = None

    @property
    def rate(self) -> float:
        """Sequences checked per second."""
        return self.inputs / self.seconds if self.seconds > 0 else float("inf")

    def summary(self) -> str:
        how = f"{self.mode}, lengths {self.min_len}..{self.max_len}"
        if self.mode == "sampled":
            how += f", seed {self.seed}"
        head = f"checked {self.inputs} inputs ({how})"
        if self.equivalent:
            return f"{head}: equivalent"
        c = self.counterexample
        at = f" at output {c.output!r}" if c.output is not None else ""
        a, b = (self.a, self.b) if self.a != self.b else ("A", "B")
        return (f"{head}: differ on input {_show_list(c.input)}{at}: "
                f"{a} -> {_show_list(c.a)}, {b} -> {_show_list(c.b)}")

    def to_dict(self) -> dict:
        c = self.counterexample
        return {
            "inputs": self.inputs, "equivalent": self.equivalent, "mode": self.mode,
            "min_len": self.min_len, "max_len": self.max_len, "seed": self.seed,
            "seconds": round(self.seconds, 4), "sequences_per_second": round(self.rate, 1),
            "counterexample": None if c is None else {
                "input": [_json_value(v) for v in c.input], "output": c.output,
                "a": [_json_value(v) for v in c.a], "b": [_json_value(v) for v in c.b],
            },
        }


# --- the check ------------------------------------------------------------------------------


def _resolve_vocab(sides, vocab, by_str):
    """(tokens as each side spells them, for each side) over one common vocabulary."""
    key = str if by_str else _exact_key
    fixed = [s for s in sides if s.vocab is not None]
    if vocab is not None:
        wanted = list(vocab)
        for s in fixed:
            have = {key(t) for t in s.vocab}
            missing = [t for t in wanted if key(t) not in have]
            if missing:
                raise TpcError(f"incompatible vocabularies: {s.label} has no token "
                               f"{', '.join(map(show, missing[:5]))} (its vocabulary: "
                               f"{' '.join(map(str, s.vocab))})")
        wanted_keys = {key(t) for t in wanted}
        if fixed:  # in the order of the reference side
            ref = next((s for s in fixed if s.kind == "checkpoint"), fixed[0])
            common = [t for t in ref.vocab if key(t) in wanted_keys]
        else:
            common = sorted({key(t): t for t in wanted}.values(), key=_exact_key)
    else:
        if not fixed:
            raise TpcError("neither side fixes a vocabulary: pass --vocab")
        ref = next((s for s in fixed if s.kind == "checkpoint"), fixed[0])
        common = list(ref.vocab)
        for s in fixed:
            if {key(t) for t in s.vocab} != {key(t) for t in common}:
                raise TpcError(f"incompatible vocabularies: {ref.label} has "
                               f"{' '.join(map(str, ref.vocab))}, {s.label} has "
                               f"{' '.join(map(str, s.vocab))} (pass --vocab to check a common part)")
    return common, key


def _lengths_total(n_vocab: int, min_len: int, max_len: int) -> int:
    return sum(n_vocab ** length for length in range(min_len, max_len + 1))


def _enumerate(n_vocab: int, length: int, start: int, stop: int) -> torch.Tensor:
    """Inputs number start..stop-1 of `length` tokens in lexicographic order, as indices."""
    numbers = torch.arange(start, stop, dtype=torch.long)
    powers = n_vocab ** torch.arange(length - 1, -1, -1, dtype=torch.long)
    return (numbers.unsqueeze(1) // powers) % n_vocab


class _Check:
    def __init__(self, a, b, pairs, canon):
        self.a, self.b, self.pairs, self.canon = a, b, pairs, canon
        both_model = not a.implicit_bos and not b.implicit_bos
        self.both_model = both_model
        self.drop_a = 0 if (a.implicit_bos or both_model) else 1
        self.drop_b = 0 if (b.implicit_bos or both_model) else 1

    def differs(self, idx: torch.Tensor) -> torch.Tensor:
        """[batch] bool: the inputs on which some compared output differs."""
        ra = self.a.run_ids(idx, [p[0] for p in self.pairs], self.canon)
        rb = self.b.run_ids(idx, [p[1] for p in self.pairs], self.canon)
        bad = torch.zeros(idx.shape[0], dtype=torch.bool)
        for oa, ob in self.pairs:
            xa, xb = ra[oa][:, self.drop_a:], rb[ob][:, self.drop_b:]
            if xa.shape != xb.shape:
                raise TpcError(f"{self.a.label} and {self.b.label} output different numbers of "
                               f"positions ({xa.shape[1]} and {xb.shape[1]}) for {idx.shape[1]} tokens")
            bad |= (xa != xb).any(1)
        return bad

    def counterexample(self, seq_idx: list, tokens_a, tokens_b) -> Counterexample:
        seq_a = [tokens_a[i] for i in seq_idx]
        seq_b = [tokens_b[i] for i in seq_idx]
        va = self.a.run_values(seq_a, [p[0] for p in self.pairs])
        vb = self.b.run_values(seq_b, [p[1] for p in self.pairs])
        for oa, ob in self.pairs:
            xa, xb = va[oa][self.drop_a:], vb[ob][self.drop_b:]
            if [self.canon.key(v) for v in xa] != [self.canon.key(v) for v in xb]:
                shown = seq_a if self.a.kind != "checkpoint" or self.b.kind == "checkpoint" else seq_b
                if self.both_model:
                    shown = [self.a.bos, *shown]
                return Counterexample(shown, oa if len(self.pairs) > 1 else None, xa, xb)
        raise AssertionError("the batched and single runs disagree on a counterexample")


def verify(a, b, *, max_len: int | None = None, min_len: int = 0, vocab: Sequence | None = None,
           samples: int = DEFAULT_SAMPLES, seed: int = 0,
           exhaustive_limit: int = DEFAULT_EXHAUSTIVE_LIMIT, output: str | None = None) -> VerifyResult:
    """Check that `a` and `b` agree (see the module docstring); user errors raise TpcError."""
    start = time.perf_counter()
    a, b = as_runnable(a), as_runnable(b)
    sides = (a, b)
    by_str = any(s.kind == "checkpoint" for s in sides)

    common, key = _resolve_vocab(sides, vocab, by_str)
    limits = [s.max_len for s in sides if s.max_len is not None]
    if max_len is None:
        if not limits:
            raise TpcError("neither side fixes a maximum length: pass --max-len")
        max_len = min(limits)
    for s in sides:
        if s.max_len is not None and max_len > s.max_len:
            raise TpcError(f"--max-len {max_len} is longer than {s.label} accepts ({s.max_len} tokens)")
    if not 0 <= min_len <= max_len:
        raise TpcError(f"--min-len must be between 0 and --max-len ({max_len})")
    for s in sides:
        if s.vocab is None:
            s.bind(common, max_len)
    for s in sides:
        by_key = {key(t): t for t in s.vocab}
        s.use_vocab([by_key[key(t)] for t in common])

    if output is not None:
        pairs = [(a.output_name(output), b.output_name(output))]
    elif not by_str and set(a.outputs) == set(b.outputs):
        pairs = [(o, o) for o in a.outputs]
    else:
        pairs = [(a.main_output, b.main_output)]
    check = _Check(a, b, pairs, Canon(by_str))

    n_vocab = len(common)
    total = _lengths_total(n_vocab, min_len, max_len)
    result = dict(a=a.label, b=b.label, min_len=min_len, max_len=max_len)
    if total <= exhaustive_limit:
        checked, found = _exhaustive(check, n_vocab, min_len, max_len)
        mode, seed_used = "exhaustive", None
    else:
        checked, found = _sampled(check, n_vocab, min_len, max_len, samples, seed)
        mode, seed_used = "sampled", seed
    counter = None if found is None else check.counterexample(found, a.tokens, b.tokens)
    return VerifyResult(**result, inputs=checked, equivalent=found is None, mode=mode,
                        seconds=time.perf_counter() - start, counterexample=counter, seed=seed_used)


def _exhaustive(check: _Check, n_vocab: int, min_len: int, max_len: int):
    """(inputs checked, the first differing input as vocabulary indices, or None)."""
    checked = 0
    budget = min(check.a.batch_positions, check.b.batch_positions)
    for length in range(min_len, max_len + 1):
        count = n_vocab ** length
        step = max(1, budget // (length + 1))
        for lo in range(0, count, step):
            hi = min(count, lo + step)
            idx = _enumerate(n_vocab, length, lo, hi)
            bad = check.differs(idx)
            if bad.any():
                first = int(bad.nonzero()[0, 0])
                return checked + first + 1, idx[first].tolist()
            checked += hi - lo
    return checked, None


def _sampled(check: _Check, n_vocab: int, min_len: int, max_len: int, samples: int, seed: int):
    """`samples` inputs drawn by hypothesis; a differing one is shrunk (shorter, then smaller
    vocabulary indices)."""
    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis import strategies as st
    from hypothesis.errors import NoSuchExample

    if samples < 1:
        raise TpcError("--samples must be at least 1")
    state = {"calls": 0, "found": False}

    def differs(seq):
        if not state["found"]:
            state["calls"] += 1
        bad = bool(check.differs(torch.tensor(seq, dtype=torch.long).view(1, len(seq)))[0])
        state["found"] |= bad
        return bad

    strategy = st.lists(st.integers(0, max(n_vocab - 1, 0)), min_size=min_len, max_size=max_len)
    config = settings(max_examples=samples, database=None, deadline=None, derandomize=False,
                      phases=[Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck),
                      report_multiple_bugs=False)
    try:
        smallest = find(strategy, differs, settings=config, random=random.Random(seed))
    except NoSuchExample:
        return state["calls"], None
    return state["calls"], list(smallest)
