"""What `tpc verify` reports: the verdict, the inputs checked and a counterexample."""

from __future__ import annotations

import attrs

from tpc.ir import show


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
