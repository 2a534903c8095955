"""Which modules a repair changed: the lifted programs of the original and the repaired model
compared module by module (`Program.origin`: node -> model variable).

A head or MLP changed when any IR node lifted from it differs (its reads, predicate table,
lookup table or value set); the readout is reported per term (a variable whose score row
changed). Modules only one side has (after `--grow`) are listed as added or removed.
"""

from __future__ import annotations

from collections import defaultdict

from tpc.ir import Program
from tpc.ir.nodes import Readout


def _by_module(program: Program) -> dict[str, list]:
    modules = defaultdict(list)
    for name, module in program.origin:
        node = program[name]
        if not isinstance(node, Readout):
            modules[module].append(node)
    return {m: sorted(nodes, key=lambda n: n.name) for m, nodes in modules.items()}


def _readout_rows(program: Program) -> dict[str, object]:
    node = program[program.output_map[program.main_output]]
    if not isinstance(node, Readout):
        return {}
    return dict(zip(node.terms, node.scores))


def changed_modules(before: Program, after: Program) -> dict:
    """{"changed": [...], "unchanged": [...], "added": [...], "removed": [...],
    "readout_terms_changed": [...]} (model variable names, sorted)."""
    a, b = _by_module(before), _by_module(after)
    common = sorted(set(a) & set(b))
    ra, rb = _readout_rows(before), _readout_rows(after)
    origin_a, origin_b = before.origin_map, after.origin_map
    terms = sorted(
        {
            origin_b.get(t, t)
            for t in set(ra) | set(rb)
            if ra.get(t) != rb.get(t) and origin_a.get(t, t) == origin_b.get(t, t)
        }
    )
    return {
        "changed": [m for m in common if a[m] != b[m]],
        "unchanged": [m for m in common if a[m] == b[m]],
        "added": sorted(set(b) - set(a)),
        "removed": sorted(set(a) - set(b)),
        "readout_terms_changed": terms,
    }
