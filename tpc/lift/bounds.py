"""How big a lifted MLP table gets, checked before it is built, and the MLP run in chunks.

An MLP's table has a row for every combination of its inputs' values (the IR's tables are
total over their inputs' value sets), so its size is known before the MLP runs: the product
of the value counts, plus the rows numbering the tuples of the first inputs when it reads
three or more. A lift past the limit stops with one line naming the module. Torch-free at
import: `tpc.cache` keys its entries by the limit.
"""

from __future__ import annotations

import itertools
import math

from tpc.errors import TpcError

# Rows of all of one MLP's tables. Lifted and optimized (-O1), a table takes about 2 KB of
# peak memory per row (measured: 1,050,625 rows, 2.07 GB peak for `tpc lift`), so a million
# rows stay within about 2 GB.
MAX_TABLE_ROWS = 1_000_000
CHUNK_ROWS = 1 << 16  # input rows per call of the MLP


def table_rows(sizes: list[int]) -> int:
    """Rows of the tables lifting an MLP whose inputs take `sizes` values: the table itself and,
    for three or more inputs, the maps numbering the tuples of the first ones."""
    numbering = sum(math.prod(sizes[: j + 1]) for j in range(1, len(sizes) - 1))
    return math.prod(sizes) + numbering


def check_table_rows(module: str, inputs: tuple[str, ...], values: list[list], limit: int) -> None:
    """A one-line TpcError when the tables for `module` (reading `inputs`, which take `values`)
    would have more than `limit` rows."""
    rows = table_rows([len(v) for v in values])
    if rows <= limit:
        return
    shape = " x ".join(f"{name} {len(v):,} values" for name, v in zip(inputs, values))
    smaller = (
        "a shorter --max-length, fewer numerical heads or MLPs (--num-heads, --num-mlps)"
        if "num_mlp" in module
        else "fewer MLP inputs (--mlp-vars-in) or a smaller --d-var"
    )
    raise TpcError(
        f"{module}: its table would have {rows:,} rows ({shape}), more than --max-table-rows "
        f"{limit:,}; {smaller} or a larger --max-table-rows (about 2 KB of memory a row) avoids it"
    )


def run_in_chunks(apply, columns: list[list[float]]) -> list[int]:
    """`apply` (an MLP's hard mode: float rows [n, inputs] -> output values [n]) on every
    combination of the `columns`' values, first column slowest, CHUNK_ROWS rows at a time."""
    import torch  # the limit above is read by the CLI and the cache, which import no torch

    combos = itertools.product(*columns)
    outputs: list[int] = []
    while chunk := list(itertools.islice(combos, CHUNK_ROWS)):
        outputs += apply(torch.tensor(chunk, dtype=torch.float64)).tolist()
    return outputs
