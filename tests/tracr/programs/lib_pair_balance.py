"""tracr lib: pair_balance."""

from tracr.rasp import rasp
from tracr.compiler import lib

vocab = {"(", ")", "a"}
max_seq_len = 5
program = lib.make_pair_balance(rasp.tokens, "(", ")")
