"""tracr lib: pair_balance."""

from tracr.compiler import lib
from tracr.rasp import rasp

vocab = {"(", ")", "a"}
max_seq_len = 5
program = lib.make_pair_balance(rasp.tokens, "(", ")")
