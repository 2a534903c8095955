"""Narrowing blocks (tpc/export/pack.py): a wide MLP or many heads spread over consecutive
blocks, in order, only where no part reads what an earlier part writes."""

from __future__ import annotations

from tpc.export.layout import Block, Head, Unit
from tpc.export.pack import narrow


def _head(name: str, reads: int, writes: int, d_head: int = 1) -> Head:
    w_v = {(reads, d_head - 1): 1.0}
    return Head(name, w_q={(reads, 0): 1.0}, w_v=w_v, w_o={(d_head - 1, writes): 1.0})


def _units(count: int, reads: int, first_write: int) -> list[Unit]:
    return [Unit({reads: 1.0}, 0.0, {first_write + i: 1.0}) for i in range(count)]


def test_a_wide_mlp_and_many_heads_are_spread_in_order():
    heads = [_head(f"h{i}", 0, 10 + i, d_head=40) for i in range(6)]
    wide = Block("wide", heads, _units(400, 1, 100))
    small = [
        Block(f"small{i}", [_head("s", 2, 20 + i)], _units(10, 3, 600 + 10 * i)) for i in range(6)
    ]
    blocks = [wide, *small]
    heads_before = [h.name for b in blocks for h in b.heads]
    units_before = [u for b in blocks for u in b.units]
    origin = narrow(blocks)
    assert len(blocks) > 7 and len(origin) == len(blocks)
    assert max(len(b.units) for b in blocks) < 400  # the table no longer sets d_mlp
    assert max(len(b.heads) for b in blocks) < 6
    assert [h.name for b in blocks for h in b.heads] == heads_before
    assert [u for b in blocks for u in b.units] == units_before
    # heads come before the block's units, units after its heads
    first_units = next(i for i, b in enumerate(blocks) if b.units)
    assert all(not b.units for b in blocks[:first_units])
    assert origin[: first_units + 1] == [0] * (first_units + 1)


def test_parts_that_read_an_earlier_parts_writes_stay_together():
    # each unit reads what the one before it writes: spreading them would change what it reads
    chained = [Unit({100 + i: 1.0}, 0.0, {101 + i: 1.0}) for i in range(400)]
    blocks = [
        Block("chained", [], chained),
        *(Block(f"b{i}", [], _units(5, 0, 900)) for i in range(8)),
    ]
    narrow(blocks)
    assert blocks[0].units == chained


def test_a_block_with_an_mlp_bias_keeps_its_units_in_one_addition():
    rounded = Block("sums", [], _units(400, 0, 100), mlp_bias={100: 12582912.0})
    blocks = [rounded, *(Block(f"b{i}", [], _units(5, 1, 900)) for i in range(8))]
    narrow(blocks)
    assert len(blocks[0].units) == 400 and blocks[0].mlp_bias == {100: 12582912.0}
