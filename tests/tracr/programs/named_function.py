"""A file with several programs; `program` is a function of no arguments."""

from tracr.rasp import rasp
from tracr.compiler import lib

vocab = {1, 2, 3}
max_seq_len = 5


def program():
    return lib.make_sort_unique(rasp.tokens, rasp.tokens)


def reverse():
    return lib.make_reverse(rasp.tokens)
