"""Narrower blocks: TransformerLens gives every block the widest block's shape, so one wide
MLP (a table of hundreds of units where the others have tens) widens them all. Its units
are independent (none reads what another writes), so they can be spread over blocks of
their own that follow it, with no heads (an attention that adds exactly 0): more blocks,
each narrower. `split_wide_mlps` picks the width that makes the dense weights smallest.
"""

from __future__ import annotations

import math

from tpc.export.layout import Block


def _parts(block: Block, width: int) -> list[list]:
    """`block`'s units in consecutive parts of at most `width` (balanced), or one part when
    a later part would read what an earlier one writes, or the block has an MLP bias."""
    units = block.units
    count = math.ceil(len(units) / width) if units else 1
    if count == 1 or block.mlp_bias:
        return [units]
    size = math.ceil(len(units) / count)
    parts = [units[i : i + size] for i in range(0, len(units), size)]
    written: set = set()
    for part in parts:
        if any(dim in written for unit in part for dim in unit.reads):
            return [units]
        written |= {dim for unit in part for dim in unit.writes}
    return parts


def _cost(blocks: list[Block], width: int) -> int:
    """Dense weights per residual dimension with MLPs at most `width` wide: 4 per head
    column, 2 per unit, in every block."""
    heads = max([1, *(len(b.heads) for b in blocks)])
    d_head = max([1, *(h.d_head for b in blocks for h in b.heads)])
    parts = [_parts(b, width) for b in blocks]
    d_mlp = max([1, *(len(p) for ps in parts for p in ps)])
    return sum(map(len, parts)) * (4 * heads * d_head + 2 * d_mlp)


def split_wide_mlps(blocks: list[Block]) -> list[int]:
    """Spread wide MLPs over blocks that follow them, in place, at the width that costs least;
    returns each new block's index in the old list."""
    sizes = {len(b.units) for b in blocks if b.units}
    widths = {math.ceil(u / k) for u in sizes for k in range(1, 17)}
    best = min(sorted(widths, reverse=True), key=lambda w: _cost(blocks, w), default=0)
    if not best:
        return list(range(len(blocks)))
    new, origin = [], []
    for i, block in enumerate(blocks):
        parts = _parts(block, best)
        block.units = parts[0]
        new.append(block)
        origin.append(i)
        for k, part in enumerate(parts[1:], start=2):
            new.append(Block(f"{block.role} (MLP part {k})", units=part))
            origin.append(i)
    blocks[:] = new
    return origin
