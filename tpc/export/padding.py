"""Right padding: every head gives a pad key exactly zero weight, so a batch of inputs of
different lengths, right-padded, gives each real position the logits of its input alone.

The pad token is the models' own padding id 0 (`<pad>`, which tpc's models mask as a key
themselves). It embeds as the model embeds it, plus one dimension `pad` = 1. Every head's
score gains a term -M at a pad key: its query reads `ones` (1 at every position) and its
key `pad` times -M, in a column whose query reads `ones` alone (a new one where none does).

M exceeds the head's score range: where each place the head reads holds a one-hot or
nothing (categorical and numerical one-hots, positions, flags), its score lies in [lo, hi]
(`score_bounds`), so a pad key scores at most hi - M and every query's best key, position 0
at worst, at least lo. With M a power of two at least hi - lo + 2 SCALE, a pad key is at
least SCALE below the row's maximum, and exp(-SCALE) is 0 in float32: its softmax weight is
exactly 0, and the real keys' weights and the denominator (a count of exact 1s) are the
same as without it. A counting or averaging head divides by the real keys alone; a causal
model needs no mask for right padding but gets the same term.

A pad position computes as a query at its position whose keys are the real ones (its own
token's values being the model's for id 0), so every place a head reads holds a one-hot or
nothing there too and the bound covers pad keys. Its own logits are unspecified: ignore
them.
"""

from __future__ import annotations

import math

from tpc.errors import TpcError
from tpc.export.layout import SCALE, Block, Head, Place, Stream

#: the pad token's id: the models' own padding (tpc.model.ops.attention_mask's pad)
PAD_ID = 0


def _one_hot(place: Place) -> bool:
    """Whether every dimension of `place` holds 0 or 1, at most one of them 1."""
    if place.scalar:
        return False
    return place.kind != "internal" or place.values == (1,)


def score_bounds(head: Head, stream: Stream) -> tuple[float, float]:
    """(lo, hi): bounds on `head`'s score q . k over positions where each place its query
    and key read holds a one-hot or nothing; per pair of places, the extreme entry of
    W_Q W_K^T between them, or 0."""
    owner = {}
    for place in stream.places.values():
        for i in range(place.width):
            owner[place.start + i] = place
    for row, _ in (*head.w_q, *head.w_k):
        if not _one_hot(owner[row]):
            raise TpcError(
                f"{head.name}: its scores read {owner[row].name}, not a one-hot: "
                "cannot bound them to mask padding"
            )
    entries: dict[tuple[str, str], dict[tuple[int, int], float]] = {}
    keys_by_col: dict[int, list[tuple[int, float]]] = {}
    for (row, col), w in head.w_k.items():
        keys_by_col.setdefault(col, []).append((row, w))
    for (q_row, col), wq in head.w_q.items():
        for k_row, wk in keys_by_col.get(col, ()):
            pair = entries.setdefault((owner[q_row].name, owner[k_row].name), {})
            pair[q_row, k_row] = pair.get((q_row, k_row), 0.0) + wq * wk
    lo = sum(min(0.0, *pair.values()) for pair in entries.values())
    hi = sum(max(0.0, *pair.values()) for pair in entries.values())
    return lo, hi


def mask_pad(blocks: list[Block], stream: Stream) -> None:
    """Add the pad term to every head of `blocks`, in place."""
    ones, pad = stream.ones, stream.is_pad
    for block in blocks:
        for head in block.heads:
            lo, hi = score_bounds(head, stream)
            big = 2.0 ** math.ceil(math.log2(hi - lo + 2 * SCALE))
            rows: dict[int, dict[int, float]] = {}
            for (row, col), w in head.w_q.items():
                rows.setdefault(col, {})[row] = w
            col = next((c for c, r in sorted(rows.items()) if r == {ones: 1.0}), head.d_head)
            head.w_q[ones, col] = 1.0
            head.w_k[pad, col] = -big
