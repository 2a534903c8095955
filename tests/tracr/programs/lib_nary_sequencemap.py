"""tracr lib: nary_sequencemap."""

from tracr.rasp import rasp
from tracr.compiler import lib

vocab = {1, 2, 3}
max_seq_len = 4
program = lib.make_nary_sequencemap(
    lambda x, y, z: x * y + z, rasp.tokens, rasp.tokens, rasp.indices
)
