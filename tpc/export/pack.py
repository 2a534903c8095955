"""Narrower blocks: TransformerLens gives every block the widest block's shape, so one wide
MLP (a table of hundreds of units where the others have tens), or one layer of many heads,
widens them all. A block's heads are independent of each other, and so are its MLP's units
(none reads what another writes), so they can be spread over consecutive blocks: heads over
blocks with no units before it (an MLP that adds exactly 0), units over blocks with no heads
after it (an attention that adds exactly 0). More blocks, each narrower; `narrow` picks the
number of heads and units per block that make a forward's work smallest.
"""

from __future__ import annotations

import math

from tpc.export.layout import Block


def _split(items: list, most: int, reads, writes, fixed: set) -> list[list]:
    """`items` in consecutive balanced parts of at most `most`, or one part when a later
    part would read what an earlier one (or `fixed`, the first part's bias) writes."""
    count = math.ceil(len(items) / most) if items else 1
    if count == 1:
        return [items]
    size = math.ceil(len(items) / count)
    parts = [items[i : i + size] for i in range(0, len(items), size)]
    written = set(fixed)
    for part in parts:
        if any(dim in written for item in part for dim in reads(item)):
            return [items]
        written |= {dim for item in part for dim in writes(item)}
    return parts


def _head_reads(head) -> set:
    return {row for row, _ in (*head.w_q, *head.w_k, *head.w_v)}


def _head_writes(head) -> set:
    return {dim for _, dim in head.w_o}


def _plan(block: Block, heads: int, units: int) -> tuple[list[list], list[list]]:
    """`block`'s heads and units in parts (a block with an MLP bias keeps its units whole:
    its sums round in one addition)."""
    head_parts = _split(block.heads, heads, _head_reads, _head_writes, set(block.attn_bias))
    if block.mlp_bias:
        return head_parts, [block.units]
    unit_parts = _split(block.units, units, lambda u: u.reads, lambda u: u.writes, set())
    return head_parts, unit_parts


#: a block's passes over the residual stream (the adds, each projection's read), in
#: multiply-adds per residual dimension: skinny blocks are bound by them, not by their weights
BLOCK_PASSES = 128


def _cost(blocks: list[Block], heads: int, units: int) -> int:
    """Work per position and residual dimension after the split, in every block: 4 per head
    column (Q, K, V, O), 2 per unit, and the block's passes over the stream."""
    d_head = max([1, *(h.d_head for b in blocks for h in b.heads)])
    plans = [_plan(b, heads, units) for b in blocks]
    count = sum(len(h) + len(u) - 1 for h, u in plans)
    widest = max([1, *(len(p) for h, _ in plans for p in h)])
    d_mlp = max([1, *(len(p) for _, u in plans for p in u)])
    return count * (4 * widest * d_head + 2 * d_mlp + BLOCK_PASSES)


def narrow(blocks: list[Block]) -> list[int]:
    """Spread wide attention and MLPs over consecutive blocks, in place, at the sizes that
    cost least; returns each new block's index in the old list."""
    sizes = {len(b.units) for b in blocks if b.units}
    widths = sorted({math.ceil(u / k) for u in sizes for k in range(1, 17)} or {1})
    most = max([1, *(len(b.heads) for b in blocks)])
    options = [(h, w) for h in range(most, 0, -1) for w in reversed(widths)]
    heads, units = min(options, key=lambda o: _cost(blocks, *o))
    new, origin = [], []
    for i, block in enumerate(blocks):
        head_parts, unit_parts = _plan(block, heads, units)
        for k, part in enumerate(head_parts[:-1]):
            bias = block.attn_bias if k == 0 else {}
            new.append(Block(f"{block.role} (heads part {k + 1})", part, [], dict(bias)))
        block.heads, block.units = head_parts[-1], unit_parts[0]
        if len(head_parts) > 1:
            block.attn_bias = {}
        new.append(block)
        for k, part in enumerate(unit_parts[1:], start=2):
            new.append(Block(f"{block.role} (MLP part {k})", units=part))
        origin += [i] * (len(head_parts) + len(unit_parts) - 1)
    blocks[:] = new
    return origin
