"""tracr lib: shuffle_dyck2."""

from tracr.compiler import lib

vocab = {"(", ")", "{", "}"}
max_seq_len = 4
program = lib.make_shuffle_dyck2()
