"""Hostile inputs for every command, and how each run ended.

Four families of cases, each drawn from a seeded `random.Random`:

- `source`: examples/rasp files mutated (byte flips, cuts, repeats, truncation, deep nesting,
  huge literals, unicode, non-UTF-8 bytes, binary junk) for check / run / emit / compile;
- `tokens`: odd `tpc run --input` texts, and Python values passed to an emitted module's `run()`;
- `checkpoint`: a trained checkpoint and a reference run corrupted (truncated, bit-flipped,
  zero-length, wrong shapes, wrong config and args.json keys and types, NaN/inf tensors, token
  lists of the wrong length, a pickle whose __reduce__ must never run), lifted;
- `options`: wrong type, zero, negative, huge, non-ASCII, non-finite or conflicting options for
  every command.

A case runs in process through click's CliRunner (or calls the emitted module) and is
classified: `clean` (exit 2 and one `error:` line, plus the offending source line and a caret
for source errors), `ok`, `traceback`, `wrong exit`, `hang` (past the limit: 10 s of CPU), `over
memory` (MemoryError) or `silently wrong` (accepted although the case is invalid, or an
answer an oracle refutes).
"""

from __future__ import annotations

import importlib.util
import json
import random
import signal
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, NamedTuple

import torch
from click.testing import CliRunner

from tests.train.small import train_flags
from tpc.cli import main

REPO = Path(__file__).resolve().parents[2]
SOURCES = sorted((REPO / "examples" / "rasp").glob("*.rasp"))
TRAINED = REPO / "examples" / "models" / "hist" / "model.pt"
REFERENCE = REPO.parent / "shared" / "reference" / "hist"
FAMILIES = ("source", "tokens", "checkpoint", "options")
CLASSES = ("clean", "ok", "traceback", "wrong exit", "hang", "over memory", "silently wrong")
MARKER = "pwned"  # the malicious pickle writes this file if it is ever unpickled


class Case(NamedTuple):
    family: str
    name: str  # what was done, for the report
    run: Callable[[], "Outcome"]


class Outcome(NamedTuple):
    exit_code: int | None
    stderr: str
    stdout: str = ""
    exception: BaseException | None = None
    wrong: str = ""  # why an oracle refutes the answer ("" when it does not)


class Hang(Exception):
    pass


@contextmanager
def time_limit(seconds: float):
    """Raise Hang in the main thread after `seconds` of CPU time (the machine is shared, so
    wall time would count other processes' work), or after 6x that in wall time (a wait)."""

    def expire(signum, frame):
        raise Hang()

    old = {sig: signal.signal(sig, expire) for sig in (signal.SIGPROF, signal.SIGALRM)}
    signal.setitimer(signal.ITIMER_PROF, seconds)
    signal.setitimer(signal.ITIMER_REAL, 6 * seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        for sig, handler in old.items():
            signal.signal(sig, handler)


def classify(case: Case, limit: float = 10.0) -> tuple[str, str]:
    """(class, detail) of one case."""
    try:
        with time_limit(limit):
            out = case.run()
    except Hang:
        return "hang", ""
    except MemoryError:
        return "over memory", ""
    except Exception as e:  # the harness's own call raised: a crash of the code under test
        return "traceback", f"{type(e).__name__}: {str(e)[:120]}"
    if isinstance(out.exception, Hang):
        return "hang", ""
    if isinstance(out.exception, MemoryError):
        return "over memory", ""
    if out.exception is not None and not isinstance(out.exception, SystemExit):
        return "traceback", f"{type(out.exception).__name__}: {str(out.exception)[:120]}"
    if out.wrong:
        return "silently wrong", out.wrong
    if out.exit_code == 0:
        return "ok", ""
    lines = out.stderr.strip().splitlines()
    one_line = (
        bool(lines)
        and lines[0].startswith("error: ")
        and (len(lines) == 1 or (len(lines) == 3 and lines[2].strip() == "^"))
    )
    if out.exit_code == 2 and one_line:
        return "clean", ""
    return "wrong exit", f"exit {out.exit_code}: {out.stderr.strip()[:120]!r}"


def cli(
    args: list[str], *, invalid: str = "", oracle: Callable[[str], str] | None = None
) -> Callable[[], Outcome]:
    """A case running `tpc ARGS`. `invalid`: why the case must be refused (an exit 0 is then
    silently wrong); `oracle(stdout)`: why an accepted answer is wrong, or ""."""

    def go() -> Outcome:
        r = CliRunner().invoke(main, args, catch_exceptions=True)
        wrong = ""
        if r.exit_code == 0 and invalid:
            wrong = f"accepted: {invalid}"
        elif r.exit_code == 0 and oracle is not None:
            wrong = oracle(r.stdout)
        return Outcome(r.exit_code, r.stderr, r.stdout, r.exception, wrong)

    return go


# --- source -----------------------------------------------------------------------------------

JUNK_TEXT = ["３", "٣", "é", "\u200b", "\u202e", "😀", "\x00", "\t", "\r", "𝟘", "ǅ", "ß"]


def mutate_source(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    kind = rng.choice(
        [
            "flip",
            "cut",
            "repeat",
            "truncate",
            "nest",
            "literal",
            "unicode",
            "non-utf8",
            "junk",
            "swap",
        ]
    )
    at = rng.randrange(len(data) + 1)
    if kind == "flip" and data:
        i = rng.randrange(len(data))
        return kind, data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1 :]
    if kind == "cut":
        return kind, data[:at] + data[at + rng.randrange(1, 40) :]
    if kind == "repeat":
        return kind, data[:at] + data[at : at + rng.randrange(1, 40)] * rng.randrange(2, 6) + data[
            at:
        ]
    if kind == "truncate":
        return kind, data[:at]
    if kind == "nest":
        depth = rng.choice([10, 100, 500, 2000])
        shape = rng.choice(
            [
                ("(" * depth, "1" + ")" * depth),
                ("-" * depth, "1"),
                ("not " * depth, "true"),
                ("", " and ".join(["true"] * depth)),
            ]
        )
        return f"nest{depth}", data + f"\nnested = {shape[0]}{shape[1]};\noutput nested;\n".encode()
    if kind == "literal":
        digits = rng.choice([20, 400, 5000])
        lit = rng.choice(["9" * digits, "1e" + "9" * min(digits, 30), "0." + "0" * digits + "1"])
        return f"literal{digits}", data + f"\nbig = tokens + {lit};\noutput big;\n".encode()
    if kind == "unicode":
        return kind, data[:at] + rng.choice(JUNK_TEXT).encode() + data[at:]
    if kind == "non-utf8":
        return kind, data[:at] + rng.choice(
            [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xfe\xff"]
        ) + data[at:]
    if kind == "junk":
        return kind, bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
    words = data.split(b" ")
    if len(words) > 2:
        i, j = rng.randrange(len(words)), rng.randrange(len(words))
        words[i], words[j] = words[j], words[i]
    return "swap", b" ".join(words)


def source_case(rng: random.Random, work: Path, i: int) -> Case:
    src = rng.choice(SOURCES)
    kind, data = mutate_source(rng, src.read_bytes())
    path = work / f"s{i}.rasp"
    path.write_bytes(data)
    command = rng.choice(["check", "run", "run", "emit", "emit-rasp", "emit-json"])
    args = {
        "check": ["check", str(path)],
        "run": ["run", str(path), "-i", rng.choice(["1 2 3", "abc", "3 1 2 2"])],
        "emit": ["emit", str(path), "-o", str(work / f"s{i}.py")],
        "emit-rasp": ["emit", str(path), "--to", "rasp"],
        "emit-json": ["emit", str(path), "--to", "json"],
    }[command]
    return Case("source", f"{src.stem}:{kind}:{command}", cli(args))


# --- tokens -----------------------------------------------------------------------------------

ODD_TOKENS = [
    "３",
    "٣",
    "007",
    "7",
    "-0",
    "+3",
    "1_0",
    "0x1",
    "1.0",
    "٣٣",
    "<s>",
    "</s>",
    "'3'",
    "None",
    "True",
    "\u200b",
    "é",
    "😀",
    "-",
    "1e3",
    "9" * 40,
    "",
    "a b",
    "\x00",
]


def reverse_oracle(text: str) -> Callable[[str], str]:
    """`tpc run reverse.rasp` must print exactly the input's tokens (split on spaces, else one
    per character), reversed: distinct tokens never merge ('007' is not '7', '٣' not '3')."""
    tokens = text.split() if any(c.isspace() for c in text) else list(text)

    def check(stdout: str) -> str:
        got = stdout.split()
        return "" if got == tokens[::-1] else f"reverse of {tokens!r} printed {got!r}"

    return check


def token_cli_case(rng: random.Random, work: Path, i: int) -> Case:
    tokens = [rng.choice(ODD_TOKENS[:14] + ["1", "2", "3"]) for _ in range(rng.randrange(1, 7))]
    text = " ".join(t for t in tokens if t.strip()) or "1"
    program = rng.choice(["reverse", "sort"])
    oracle = reverse_oracle(text) if program == "reverse" else None  # sort: no crash, no hang
    if (
        rng.random() < 0.1
    ):  # long inputs: answered up to tpc run's limit (4,096), beyond it a clean error
        text = " ".join(str(rng.randrange(5)) for _ in range(rng.choice([300, 2000, 20000])))
        oracle = reverse_oracle(text) if program == "reverse" else None
    args = ["run", str(REPO / "examples" / "rasp" / f"{program}.rasp"), "-i", text]
    return Case("tokens", f"cli:{program}", cli(args, oracle=oracle))


_MODULES: dict[str, object] = {}


def emitted(work: Path, kind: str):
    """The emitted Python module of sort.rasp (vocab 1 2 3, max_len 4) or of the lifted hist
    model."""
    if kind not in _MODULES:
        path = work / f"emitted_{kind}.py"
        args = (
            ["emit", str(REPO / "examples/rasp/sort.rasp"), "--vocab", "1 2 3", "--max-len", "4"]
            if kind == "sort"
            else ["lift", str(TRAINED)]
        )
        r = CliRunner().invoke(main, [*args, "-o", str(path)], catch_exceptions=False)
        assert r.exit_code == 0, r.stderr
        spec = importlib.util.spec_from_file_location(f"emitted_{kind}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _MODULES[kind] = module
    return _MODULES[kind]


ODD_VALUES = [
    True,
    False,
    1.0,
    1 + 0j,
    "1",
    None,
    b"1",
    [1],
    (1,),
    0,
    -1,
    4,
    2**70,
    float("nan"),
    "<s>",
    "</s>",
    "３",
    object(),
]


def token_module_case(rng: random.Random, work: Path, i: int) -> Case:
    kind = rng.choice(["sort", "hist"])
    m = emitted(work, kind)  # built once, outside the case's time limit

    good = [v for v in m.VOCAB if v != m.BOS]
    seq = [
        rng.choice(good) if rng.random() < 0.6 else rng.choice(ODD_VALUES)
        for _ in range(rng.randrange(0, 8))
    ]
    shape = rng.random()
    if not m.IMPLICIT_BOS and shape < 0.8:
        seq = [m.BOS, *seq]
    arg = (
        seq
        if shape < 0.9
        else rng.choice([tuple(seq), "123", 5, None, {1: 2}, set(good), iter(seq)])
    )
    body = seq if m.IMPLICIT_BOS else seq[1:]
    valid = (
        isinstance(arg, (list, tuple))
        and len(seq) + m.IMPLICIT_BOS <= m.N_POSITIONS
        and all(any(type(t) is type(v) and t == v for v in good) for t in body)
        and (m.IMPLICIT_BOS or (seq[:1] == [m.BOS] and type(seq[0]) is str))
    )

    def go() -> Outcome:
        try:
            result = m.run(arg)
        except (ValueError, TypeError) as e:
            message = str(e)
            if valid:
                return Outcome(1, "", wrong=f"refused a valid input {seq!r}: {message}")
            if "\n" in message or not message:
                return Outcome(1, message, wrong="not a one-line message")
            return Outcome(2, f"error: {message}")
        if isinstance(arg, str) and all(
            any(type(c) is type(v) and c == v for v in good) for c in arg
        ):
            return Outcome(0, "")  # a string is one token per character
        if not valid:
            return Outcome(0, "", wrong=f"accepted {arg!r:.80}")
        return Outcome(
            0,
            "",
            wrong="" if len(result) == len(seq) else f"{len(result)} values for {len(seq)} tokens",
        )

    return Case("tokens", f"module:{kind}", go)


# --- checkpoints ------------------------------------------------------------------------------


class Malicious:
    """Unpickling this runs `open(MARKER, 'w')`: a loader that executes it has failed."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def _mutated_payload(rng: random.Random, payload: dict) -> tuple[str, dict, bool]:
    """(what, payload, invalid) for a tpc checkpoint's dict."""
    state, cfg = payload["state"], payload["config"]
    kind = rng.choice(
        [
            "nan",
            "inf",
            "shape",
            "empty",
            "config-type",
            "config-missing",
            "config-extra",
            "tokens-long",
            "tokens-short",
            "tokens-type",
            "state-type",
            "drop-tensor",
            "huge-config",
            "format",
            "labels-type",
        ]
    )
    key = rng.choice(sorted(state))
    if kind in ("nan", "inf"):
        t = state[key].clone().float()
        if t.numel():
            t.view(-1)[rng.randrange(t.numel())] = float(kind)
            state[key] = t.to(state[key].dtype) if state[key].is_floating_point() else state[key]
            return kind, payload, state[key].is_floating_point()
    if kind == "shape":
        state[key] = torch.zeros(*[s + 1 for s in state[key].shape] or [2])
    elif kind == "empty":
        state[key] = torch.zeros(0)
    elif kind == "config-type":
        name = rng.choice(sorted(cfg))
        sequence = isinstance(cfg[name], (list, tuple))
        wrong = [
            v
            for v in ("3", 2.5, [1, 2], None, {"a": 1}, -1, True)
            if type(v) is not type(cfg[name]) and not (sequence and isinstance(v, list))
        ]
        cfg[name] = rng.choice(
            wrong
        )  # of another type than the field's (True for a bool is no error)
    elif kind == "config-missing":
        cfg.pop(rng.choice(sorted(cfg)))
        return kind, payload, False  # a field with a default may go
    elif kind == "config-extra":
        cfg["extra"] = 1
    elif kind == "tokens-long":
        payload["tokens"] = list(payload["tokens"]) + ["x"]
    elif kind == "tokens-short":
        payload["tokens"] = list(payload["tokens"])[:-1]
    elif kind == "tokens-type":
        payload["tokens"] = rng.choice([[1, 2], "abc", None, {"a": 1}])
    elif kind == "labels-type":
        payload["labels"] = rng.choice([[1, 2], "abc", None])
    elif kind == "state-type":
        payload["state"] = rng.choice([[1, 2], "x", None])
    elif kind == "drop-tensor":
        state.pop(key)
    elif kind == "huge-config":
        cfg[rng.choice(["n_layers", "d_var", "n_ctx", "d_mlp"])] = rng.choice(
            [10**6, 10**12, 2**63]
        )
    else:
        payload["format"] = "something-else"
    return kind, payload, True


def _mutated_args(rng: random.Random, args: dict) -> tuple[str, dict, bool]:
    kind = rng.choice(["type", "missing", "list", "huge", "negative"])
    key = rng.choice(
        [
            "n_layers",
            "n_heads_cat",
            "n_heads_num",
            "n_cat_mlps",
            "mlp_vars_in",
            "d_mlp",
            "one_hot_embed",
            "autoregressive",
            "dataset",
            "n_vars_cat",
            "attention_type",
        ]
    )
    if kind == "type":  # of another type than the entry's ("3" is a fine dataset name)
        args[key] = rng.choice(
            [v for v in ("3", 2.5, [1], None, {"a": 1}) if type(v) is not type(args.get(key))]
        )
    elif kind == "missing":
        args.pop(key, None)
        return kind, args, key != "attention_type"
    elif kind == "list":
        return "not-an-object", [args], True
    elif kind == "huge":
        args[key] = 10**12
    else:
        args[key] = -3
    return f"{kind}:{key}", args, True


def checkpoint_case(rng: random.Random, work: Path, i: int) -> Case:
    path = work / f"c{i}.pt"
    what = rng.choice(
        ["truncate", "bitflip", "zero", "payload", "payload", "pickle", "reference", "junk"]
    )
    invalid = True
    data = TRAINED.read_bytes()
    if what == "truncate":
        path.write_bytes(data[: rng.randrange(len(data))])
    elif what == "bitflip":
        i_byte = rng.randrange(len(data))
        path.write_bytes(
            data[:i_byte] + bytes([data[i_byte] ^ (1 << rng.randrange(8))]) + data[i_byte + 1 :]
        )
        invalid = False  # a flipped weight is still a model
    elif what == "zero":
        path.write_bytes(b"")
    elif what == "junk":
        path.write_bytes(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 2000))))
    elif what == "payload":
        kind, payload, invalid = _mutated_payload(rng, torch.load(TRAINED, weights_only=True))
        what = f"payload:{kind}"
        torch.save(payload, path)
    elif what == "pickle":
        torch.save(
            {"format": "tpc-transformer-program/1", "config": Malicious(str(work / MARKER))}, path
        )
    else:
        run = work / f"r{i}"
        run.mkdir()
        (run / "model.pt").write_bytes((REFERENCE / "model.pt").read_bytes())
        (run / "vocab.json").write_bytes((REFERENCE / "vocab.json").read_bytes())
        kind, args, invalid = _mutated_args(rng, json.loads((REFERENCE / "args.json").read_text()))
        (run / "args.json").write_text(json.dumps(args))
        what, path = f"reference:{kind}", run

    def go() -> Outcome:
        out = cli(
            ["lift", str(path), "-o", str(work / f"c{i}.py")], invalid=what if invalid else ""
        )()
        if (work / MARKER).exists():
            (work / MARKER).unlink()
            return out._replace(wrong="the malicious pickle ran")
        return out

    return Case("checkpoint", what, go)


# --- options ----------------------------------------------------------------------------------

BAD_INTS = [
    "0",
    "-1",
    "99999999999999999999",
    "10000000",
    "٣",
    "３",
    "1_0",
    "0x10",
    "3.5",
    "abc",
    "",
    "nan",
    "inf",
]
BAD_FLOATS = ["nan", "inf", "-inf", "0", "-1", "1e999", "٣", "abc", ""]
TINY_TRAIN = [
    "train",
    "--task",
    "hist",
    *train_flags(
        layers=1,
        cat_heads=1,
        num_heads=1,
        cat_mlps=0,
        num_mlps=0,
        epochs=1,
        dataset_size=40,
        batch_size=40,
        quiet=True,
    ),
]


def conflicting(sort: str, out: str) -> list[tuple[list[str], str]]:
    """Options each fine alone but not together: (args, why it must be refused, or "")."""
    return [
        (["run", sort, "--max-len", "2", "-i", "1 2 3"], "input longer than --max-len"),
        (["run", sort, "--vocab", "1 2", "-i", "3"], "token outside --vocab"),
        (["run", sort, "--vocab", "", "-i", "1"], "empty vocabulary"),
        (["compile", sort, "-o", out + ".pt", "--output-name", "nope"], "no such output"),
        (["compile", sort, "-o", out + ".pt", "--json"], ""),
        (["emit", sort, "--to", "json", "--vocab", "1 1 2"], ""),
        (
            [*TINY_TRAIN, "-o", out, "--min-len", "9", "--max-len", "3"],
            "min length above max length",
        ),
        ([*TINY_TRAIN, "-o", out, "--init", out + "/none.pt"], "no such checkpoint"),
        ([*TINY_TRAIN, "-o", out, "--resume"], ""),
        (
            [*TINY_TRAIN, "-o", out, "--embed-vars", "2", "--d-var", "1"],
            "d_var narrower than the positions",
        ),
        (["lift", str(TRAINED), "--print-after", "nope"], "unknown pass"),
        (["lift", str(TRAINED), "--to", "rasp", "-O", "0", "-o", "-"], ""),
    ]


def options_case(rng: random.Random, work: Path, i: int) -> Case:
    sort = str(REPO / "examples/rasp/sort.rasp")
    out = str(work / f"o{i}")
    if rng.random() < 0.2:
        args, invalid = rng.choice(conflicting(sort, out))
        return Case(
            "options", "conflict:" + " ".join(args[:1] + args[-4:])[:80], cli(args, invalid=invalid)
        )
    command = rng.choice(["run", "emit", "check", "compile", "lift", "train", "train", "verify"])
    value = rng.choice(BAD_INTS)
    if command == "run":
        opt = rng.choice(["--max-len", "--vocab", "--output-name", "-O"])
        args = ["run", sort, "-i", "3 1 2", opt, value]
    elif command == "emit":
        opt = rng.choice(["--max-len", "--to", "-o", "--vocab"])
        args = ["emit", sort, opt, out + ".py" if opt == "-o" and rng.random() < 0.3 else value]
    elif command == "check":
        opt = rng.choice(["--max-len", "--vocab"])
        args = ["check", sort, opt, value]
    elif command == "compile":
        opt = rng.choice(["--max-len", "-O", "--output-name", "-o", "--vocab"])
        extra = [] if opt == "-o" else ["-o", out + ".pt"]
        args = [
            "compile",
            sort,
            *extra,
            opt,
            rng.choice([value, "-", "/dev/full", str(work / "no/such/dir.pt")])
            if opt == "-o"
            else value,
        ]
    elif command == "lift":
        opt = rng.choice(["-O", "--to", "--print-after", "-o"])
        args = [
            "lift",
            str(TRAINED),
            opt,
            value if opt != "-o" else rng.choice(["/dev/full", str(work / "no/x.py")]),
        ]
    elif command == "verify":
        opt = rng.choice(["--max-len", "--min-len", "--exhaustive-limit"])
        value = rng.choice(["-1", "٣", "abc", "nan"])
        args = ["verify", sort, sort, "--vocab", "1 2", "--max-len", "2", opt, value]
    else:
        opt, kind = rng.choice(
            [
                ("--epochs", "int"),
                ("--dataset-size", "int"),
                ("--batch-size", "int"),
                ("--layers", "int"),
                ("--embed-vars", "int"),
                ("--d-var", "int"),
                ("--mlp-width", "int"),
                ("--max-len", "int"),
                ("--vocab-size", "int"),
                ("--seed", "int"),
                ("--lr", "float"),
                ("--tau-end", "float"),
                ("--tau-init", "float"),
                ("--threads", "int"),
                ("--checkpoint-every", "int"),
            ]
        )
        value = rng.choice(BAD_FLOATS if kind == "float" else BAD_INTS)
        args = [*TINY_TRAIN, "-o", out, opt, value]
    invalid = _must_refuse(command, opt, value)
    return Case("options", f"{command}:{opt}={value!r}", cli(args, invalid=invalid))


def _must_refuse(command: str, opt: str, value: str) -> str:
    """Why `opt value` is invalid for `command` whatever else is given ("" when it may be fine)."""
    non_number = value in ("٣", "３", "1_0", "0x10", "abc", "", "nan", "inf", "-inf", "1e999")
    if opt in ("--vocab", "--output-name", "--to", "--print-after", "-o"):
        return "" if opt != "-o" or value not in ("/dev/full",) else "a special file as output"
    if non_number:
        return f"{value!r} is not a finite number"
    if value.startswith("-") or value in ("99999999999999999999", "10000000", "3.5", "1e999"):
        return (
            "beyond range"
            if not (command == "train" and opt == "--seed" and value == "10000000")
            else ""
        )
    return ""


GENERATORS = {
    "source": [source_case],
    "tokens": [token_cli_case, token_module_case],
    "checkpoint": [checkpoint_case],
    "options": [options_case],
}


def cases(n: int, seed: int, work: Path, families=FAMILIES):
    """`n` cases, round-robin over `families`, reproducible from `seed`; files go to `work`
    (run them with `work` as the current directory: some options name relative files)."""
    rng = random.Random(seed)
    for i in range(n):
        family = families[i % len(families)]
        yield rng.choice(GENERATORS[family])(rng, work, i)


def tally(results) -> dict:
    """family -> class -> count, for (family, class) pairs."""
    table = {f: {c: 0 for c in CLASSES} for f in FAMILIES}
    for family, cls in results:
        table[family][cls] += 1
    return table
