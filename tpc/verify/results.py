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
    marks: list = attrs.field(factory=list)  # per compared position: do a and b differ there

    def table(self, a_name: str, b_name: str, plain: list) -> str:
        """The input's tokens, both outputs, and ^ under each differing position, aligned."""
        rows = [("input", plain), (a_name, self.a), (b_name, self.b)]
        cells = [[str(v) for v in values] for _, values in rows]  # spec checks compare by str
        widths = [max(len(c[i]) for c in cells if i < len(c)) for i in range(len(self.marks))]
        head = max(len(name) for name, _ in rows)
        lines = [
            f"  {name:<{head}}  " + " ".join(f"{c:<{w}}" for c, w in zip(cell, widths)).rstrip()
            for (name, _), cell in zip(rows, cells)
        ]
        lines.append(
            f"  {'':<{head}}  "
            + " ".join(("^" if m else " ").ljust(w) for m, w in zip(self.marks, widths)).rstrip()
        )
        return "\n".join(lines)


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
    # Spec checks count every failure of the whole domain; else None.
    failing_inputs: int | None = None
    failing_positions: int | None = None
    plain_input: list | None = None  # the counterexample's tokens without BOS/EOS (spec checks)
    workers: int = 1

    @property
    def rate(self) -> float:
        """Sequences checked per second."""
        return self.inputs / self.seconds if self.seconds > 0 else float("inf")

    def summary(self) -> str:
        how = f"{self.mode}, lengths {self.min_len}..{self.max_len}"
        if self.mode == "sampled":
            how += f", seed {self.seed}"
        if self.failing_inputs is not None:
            return self._spec_summary(how)
        head = f"checked {self.inputs} inputs ({how})"
        if self.equivalent:
            return f"{head}: equivalent"
        c = self.counterexample
        at = f" at output {c.output!r}" if c.output is not None else ""
        a, b = (self.a, self.b) if self.a != self.b else ("A", "B")
        return (
            f"{head}: differ on input {_show_list(c.input)}{at}: "
            f"{a} -> {_show_list(c.a)}, {b} -> {_show_list(c.b)}"
        )

    def _spec_summary(self, how: str) -> str:
        if self.equivalent:
            return f"correct on all {self.inputs} inputs up to length {self.max_len} ({how})"
        c = self.counterexample
        share = 100.0 * self.failing_inputs / self.inputs
        return (
            f"incorrect on {self.failing_inputs} of {self.inputs} inputs ({share:.3f}%) up to "
            f"length {self.max_len} ({how}), at {self.failing_positions} positions\n"
            f"shortest failing input (then first in vocabulary order): "
            f"{' '.join(map(str, c.input))}\n" + c.table("model", "spec", self.plain_input)
        )

    def to_dict(self) -> dict:
        c = self.counterexample
        out = {
            "inputs": self.inputs,
            "equivalent": self.equivalent,
            "mode": self.mode,
            "min_len": self.min_len,
            "max_len": self.max_len,
            "seed": self.seed,
            "seconds": round(self.seconds, 4),
            "sequences_per_second": round(self.rate, 1),
            "counterexample": None
            if c is None
            else {
                "input": [_json_value(v) for v in c.input],
                "output": c.output,
                "a": [_json_value(v) for v in c.a],
                "b": [_json_value(v) for v in c.b],
                "differs": list(c.marks),
            },
        }
        if self.failing_inputs is not None:
            out.update(failing_inputs=self.failing_inputs, failing_positions=self.failing_positions)
        if self.workers > 1:
            out["workers"] = self.workers
        return out
