"""What every stage of one RASP -> IR translation shares: the source (for located errors), the
domain, the mode, the IR builder and the node names given so far."""

from __future__ import annotations

import contextlib

import lark

from tpc.errors import TpcError
from tpc.frontend.values import Sel, SOp
from tpc.frontend.witness import Witness
from tpc.ir import Builder, Domain, FreshNames


def position(where) -> tuple:
    """(line, column) of a lark token or tree (its first located part), or of a pair."""
    if isinstance(where, lark.Token):
        return where.line or 1, where.column or 1
    if isinstance(where, lark.Tree):
        meta = where.meta
        if not getattr(meta, "empty", True):
            return meta.line, meta.column
        for child in where.children:
            if isinstance(child, (lark.Tree, lark.Token)):
                return position(child)
    if isinstance(where, tuple):
        return where
    return 1, 1


# With a witness, a table of two s-ops still gets every row when it has at most this many: its
# values are then all the domain's (SOp.complete), as a program built for every input has them.
SMALL_TABLE = 4096


class Context:
    """One translation's shared state. In "model" mode (`#!tpc model`) there is no decoding and
    no BOS bookkeeping: the program means exactly its IR (used to print lifted programs; see
    tpc.backends.rasp)."""

    def __init__(
        self,
        source: str,
        filename: str,
        domain: Domain,
        model: bool,
        witness: Witness | None = None,
    ):
        self.source = source
        self.filename = filename
        self.domain = domain
        self.model = model
        # With a witness, nodes are built for its one input only (tpc.frontend.witness).
        self.witness = witness
        self.builder = Builder(domain) if witness is None else Builder(domain, witness.type_of)
        if witness is not None:
            witness.nodes = self.builder.nodes
        self.cache: dict = {}  # built-in s-ops and BOS-fixed copies, built once
        self.names = FreshNames(live=self.builder.types)
        self._auto: set = set()  # names made up, not taken from the program
        self.sources = {filename: source}  # every file read (`load`), for located errors
        # What a run must check (tpc.frontend.failures): node -> (file, line, column) of the
        # source it computes, and node -> (input nodes, {input IR values: (file, line, column,
        # reason)}) for the inputs on which it fails.
        self.located: dict = {}
        self.failures: dict = {}

    @contextlib.contextmanager
    def reading(self, filename: str, source: str):
        """Locate trees in `filename` (a loaded file, or the one a function was defined in)."""
        saved = self.filename, self.source
        self.filename, self.source = filename, source
        self.sources[filename] = source
        try:
            yield
        finally:
            self.filename, self.source = saved

    def at(self, where) -> tuple:
        """(file, line, column) of `where`: in the loaded file it was read from (see
        tpc.frontend.loading), else in the file being read."""
        filename = getattr(getattr(where, "meta", None), "loaded_from", self.filename)
        return (filename, *position(where))

    def record(self, node: str, inputs: list, where, failed: dict) -> None:
        """Note the source of `node` and the inputs (`failed`) on which its values fail."""
        self.located.setdefault(node, self.at(where))
        if failed:
            self.failures[node] = (tuple(inputs), dict(failed))

    def error(self, where, reason: str) -> TpcError:
        filename, line, col = self.at(where)
        return TpcError.at(filename, self.sources[filename], line, col, reason)

    def values(self, node: str) -> tuple:
        """The IR values `node` can take."""
        return self.builder.type_of(node).values

    def pairs(self, x: str, y: str) -> list:
        """The (x, y) IR value pairs a table of two s-ops needs rows for: every combination,
        or with a witness the ones its input reaches."""
        if self.witness is not None and len(self.values(x)) * len(self.values(y)) > SMALL_TABLE:
            return self.witness.pairs(x, y)
        return [(a, b) for a in self.values(x) for b in self.values(y)]

    def fresh(self, hint: str | None, stem: str) -> str:
        """A node name from the program's own name `hint`, else from `stem`."""
        name = self.names.fresh(hint or stem)
        if hint is None:
            self._auto.add(name)
        return name

    def rename_last(self, value, name: str, qualifiers=()) -> None:
        """Give the node just built for `name = expr;` the variable's name when free, else the
        first free of `q_name` for the innermost qualifier q, `p_q_name` with the next, ..."""
        if (
            not isinstance(value, (SOp, Sel))
            or not self.builder.nodes
            or value.node != self.builder.nodes[-1].name
        ):
            return
        tried = [name]
        for q in reversed(qualifiers):
            tried.append(f"{q}_{tried[-1]}")
        free = [
            n
            for n in tried
            if self.names.clean(n) not in self.names
            and self.names.clean(n) not in self.builder.types
        ]
        if value.node not in self._auto or not free:
            return
        old = value.node
        value.node = self.builder.rename_last(self.names.fresh(free[0]))
        for record in (self.located, self.failures):
            if old in record:
                record[value.node] = record.pop(old)
