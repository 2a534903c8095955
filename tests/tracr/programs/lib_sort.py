"""tracr lib: sort."""

from tracr.rasp import rasp
from tracr.compiler import lib

vocab = {1, 2, 3, 4}
max_seq_len = 5
program = lib.make_sort(rasp.tokens, rasp.tokens, max_seq_len=5, min_key=1)
