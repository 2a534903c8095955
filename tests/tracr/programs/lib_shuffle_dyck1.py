"""tracr lib: shuffle_dyck1."""

from tracr.compiler import lib

vocab = {"(", ")"}
max_seq_len = 6
program = lib.make_shuffle_dyck(["()"])
