"""`#!tpc vocab` / `#!tpc max_len`: a file's declared domain, used when the caller gives none."""

import pytest

from tpc.errors import TpcError
from tpc.frontend import rasp_to_ir, read_pragmas

SOURCE = """#!tpc vocab '1' 2 'a b' 1/2 True
#!tpc max_len 3
output y = tokens;
"""


def test_declared_domain_keeps_each_token_as_written():
    declared = read_pragmas(SOURCE)
    assert declared.vocab == ("1", 2, "a b", __import__("fractions").Fraction(1, 2), True)
    assert declared.max_len == 3
    program = rasp_to_ir(SOURCE)
    assert program.domain.max_len == 3 and set(map(repr, program.domain.vocab)) == {
        "'1'",
        "2",
        "'a b'",
        "Fraction(1, 2)",
        "True",
    }


def test_options_override_the_declared_domain():
    program = rasp_to_ir(SOURCE, vocab=["x"], max_len=5)
    assert program.domain.vocab == ("x",) and program.domain.max_len == 5


@pytest.mark.parametrize(
    "line, col, reason",
    [
        ("#!tpc vocab 'a' b", 17, "not a token literal: b"),
        ("#!tpc max_len eight", 15, "max_len needs one whole number"),
        ("#!tpc modle", 7, "unknown pragma 'modle'"),
    ],
)
def test_bad_pragmas_name_the_line_and_column(line, col, reason):
    with pytest.raises(TpcError) as err:
        rasp_to_ir(f"output y = tokens;\n{line}\n", "d.rasp")
    assert str(err.value).startswith(f"d.rasp:2:{col}: {reason}")
