"""Helpers calling helpers, and a library function used inside one."""

from tracr.rasp import rasp
from tracr.compiler import lib

vocab = {1, 2, 3}
max_seq_len = 5


def double(sop):
    return rasp.Map(lambda x: 2 * x, sop).named("double")


def double_then_reverse(sop):
    return lib.make_reverse(double(sop))


def plus_hist(sop):
    return rasp.SequenceMap(lambda a, b: a + b, double_then_reverse(sop), lib.make_hist())


program = plus_hist(rasp.tokens).named("reversed_double_plus_hist")
