"""Names that say what a lifted head computes, where the head's own tables prove it.

A lifted head is named after its model module (`l0_cat_head1`), which says where it sits but
not what it does. Some heads provably do one simple thing at every position after BOS (the
BOS position reads whatever the head's table gives it), and get that as their name:
- prev_X / next_X: a nearest head over positions whose query position q selects exactly
  position q - 1 (q + 1) reads X there (at the last position next_X has no key to read);
- count_same_X: a sum head over ones whose query value v selects exactly the keys holding v
  counts the positions with the same value of X (itself included).
X is `token` for tokens and `position` for indices, else the variable's own name. The
module name stays in the program's `origin` (printers show it beside the new name).
"""

from __future__ import annotations

import attrs

from tpc.ir import (
    Aggregate,
    FreshNames,
    Indices,
    Ones,
    Program,
    Select,
    Tokens,
    rename_inputs,
    sort_key,
)


def _stem(program: Program, name: str) -> str:
    node = program[name]
    return (
        "token" if isinstance(node, Tokens) else "position" if isinstance(node, Indices) else name
    )


def _picks(program: Program, sel: Select) -> dict:
    """Each query value -> the key values it selects (by sort key)."""
    keys = program[sel.keys].type.values
    return {
        sort_key(q): {sort_key(k) for k in keys if (q, k) in sel.predicate}
        for q in program[sel.queries].type.values
    }


def _offset(program: Program, sel: Select) -> int | None:
    """d when every query position q > 0 selects exactly position q + d (if it exists)."""
    if not (isinstance(program[sel.keys], Indices) and isinstance(program[sel.queries], Indices)):
        return None
    picks = _picks(program, sel)
    positions = {sort_key(k) for k in program[sel.keys].type.values}
    for d in (-1, 1):
        if all(
            picks[sort_key(q)] == ({sort_key(q + d)} & positions)
            for q in program[sel.queries].type.values
            if q > 0
        ):
            return d
    return None


def _counts_same(program: Program, sel: Select) -> bool:
    """Every query value other than BOS selects exactly the keys holding the same value."""
    if sel.keys != sel.queries:
        return False
    bos = sort_key(program.domain.bos)
    return all(ks == {q} for q, ks in _picks(program, sel).items() if q != bos)


def _describe(program: Program, node: Aggregate) -> str | None:
    sel = program[node.selector]
    if not isinstance(sel, Select) or node.name not in program.origin_map:
        return None
    if node.reduce == "nearest":
        d = _offset(program, sel)
        return None if d is None else f"{'prev' if d < 0 else 'next'}_{_stem(program, node.values)}"
    if (
        node.reduce == "sum"
        and isinstance(program[node.values], Ones)
        and _counts_same(program, sel)
    ):
        return f"count_same_{_stem(program, sel.keys)}"
    return None


def name_heads(program: Program) -> Program:
    """Lifted heads that provably read the previous/next position or count equal values are
    named so."""
    names = FreshNames(n.name for n in program.nodes)
    users, origin = program.users(), program.origin_map
    mapping = {}
    for node in program.nodes:
        if isinstance(node, Aggregate) and (described := _describe(program, node)):
            if node.name.startswith(described):
                continue  # named so already
            mapping[node.name] = names.fresh(described)
            sel = node.selector
            if len(users[sel]) == 1 and origin.get(sel) == origin[node.name]:
                mapping[sel] = names.fresh(f"{mapping[node.name]}_select")
    if not mapping:
        return program
    nodes = [
        rename_inputs(attrs.evolve(n, name=mapping.get(n.name, n.name)), mapping)
        for n in program.nodes
    ]
    return program.evolve(
        nodes=tuple(nodes),
        outputs=tuple((out, mapping.get(src, src)) for out, src in program.outputs),
        origin=tuple((mapping.get(k, k), v) for k, v in program.origin),
    )
