"""RASP's run-time errors. tpc tabulates every element-wise operation over all the values its
inputs could take, so a table may hold entries where the operation fails (1 / 0, 1 < "a");
they hold None. RASP raises an error when such a value is actually reached, and when an s-op
ends up holding values of different types (a string beside a number). `RunChecks` keeps what
the frontend recorded about each node and raises that error, located in the source, when a
run reaches it."""

from __future__ import annotations

from attrs import frozen

from tpc.errors import TpcError
from tpc.ir import is_number, show, sort_key


@frozen
class RunChecks:
    sources: dict  # file name -> its text
    located: dict  # node -> (file, line, column) of the source it computes
    failures: (
        dict  # node -> (input nodes, {sort keys of input values: (file, line, column, reason)})
    )

    def error(self, filename, line, column, reason) -> TpcError:
        return TpcError.at(filename, self.sources[filename], line, column, reason)

    def check(self, interp, tokens: list) -> None:
        """Raise the first error RASP would raise on `tokens` (a list without BOS), run by
        `interp` (a tpc.interp.Interpreter of the program: the caller's, whose tables over
        positions cost as much to build as the run itself on a long input)."""
        if not tokens or not (self.located or self.failures):
            return
        program = interp.program
        self.check_values(
            program.nodes,
            {n.name: n.type for n in program.nodes},
            interp.evaluate(*interp.encode([tokens])),
            len(tokens),
        )

    def check_values(self, nodes, types: dict, env: dict, length: int) -> None:
        """`check` on the values `env` (as `Interpreter.evaluate` gives them) that `nodes` of
        `types` take on one input of `length` tokens."""
        at = lambda name: [types[name].values[i] for i in env[name][0][1 : length + 1]]  # noqa: E731
        for node in nodes:
            if node.name in self.failures:
                inputs, failed = self.failures[node.name]
                columns = list(zip(*[at(i) for i in inputs]))
                for values in columns:
                    hit = failed.get(tuple(sort_key(v) for v in values))
                    if hit is not None:
                        raise self.error(*hit)
            if node.name in self.located:
                values = [v for v in at(node.name) if v is not None]
                if _type_of(values) is None:
                    shown = ", ".join(map(show, values))
                    raise self.error(
                        *self.located[node.name],
                        f"an s-op holds values of different types: [{shown}]",
                    )


def _type_of(values: list):
    """RASP's type of a sequence: one of str, bool, number; None when they are mixed."""
    kinds = {
        bool
        if isinstance(v, bool)
        else str
        if isinstance(v, str)
        else "number"
        if is_number(v)
        else type(v)
        for v in values
    }
    if kinds <= {bool, "number"} and "number" in kinds:
        return "number"  # RASP treats booleans beside numbers as numbers
    return next(iter(kinds)) if len(kinds) == 1 else (None if kinds else "empty")
