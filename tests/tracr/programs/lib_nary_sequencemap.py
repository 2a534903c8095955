"""tracr lib: nary_sequencemap."""

from tracr.compiler import lib
from tracr.rasp import rasp

vocab = {1, 2, 3}
max_seq_len = 4
program = lib.make_nary_sequencemap(
    lambda x, y, z: x * y + z, rasp.tokens, rasp.tokens, rasp.indices
)
