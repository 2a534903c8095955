"""tracr lib: sort_unique."""

from tracr.rasp import rasp
from tracr.compiler import lib

vocab = {1, 2, 3, 4, 5}
max_seq_len = 5
program = lib.make_sort_unique(rasp.tokens, rasp.tokens)
