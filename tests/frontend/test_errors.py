"""Bad programs: each error names file:line:col, a reason, and carries the line with a caret."""

import pytest

from tpc.errors import TpcError
from tpc.frontend import rasp_to_ir

# (source, line, column, phrase of the reason)
BAD = [
    # syntax
    ("x = tokens +;", 1, 13, "syntax error: unexpected ';'"),
    ('x = tokens == "a"\ny = 1;', 2, 1, "unexpected 'y'"),
    ("x = (tokens;", 1, 12, "expected ')'"),
    ("x = tokens $ 1;", 1, 12, "unexpected character '$'"),
    ("def f(a) { b = a; }", 1, 19, "unexpected '}'"),
    ("x = 'abc", 1, 5, "unexpected character"),
    ('x = tokens == "a" ==;', 1, 21, "unexpected ';'"),
    ("x = tokens", 1, 11, "unexpected end of file"),
    # unknown names
    ("x = foo + 1;", 1, 5, "unknown name 'foo'"),
    ("y = 2;\nx = unknown_fn(tokens);", 2, 5, "unknown function 'unknown_fn'"),
    ("x = selector_width;", 1, 5, "built-in function 'selector_width' used as a value"),
    ("#!tpc modle\nx = tokens;", 1, 7, "unknown pragma 'modle'"),
    ("x = length;", 1, 5, "unknown name 'length'"),  # model mode: checked below with a pragma
    # arity
    (
        "x = aggregate(select(indices, indices, ==));",
        1,
        5,
        "aggregate() takes 2 to 3 arguments, got 1",
    ),
    ("def f(a) { return a; }\nx = f(tokens, indices);", 2, 5, "f() takes 1 argument, got 2"),
    ("x = round(tokens, 2);", 1, 5, "round() takes 1 argument, got 2"),
    ("x = indicator(tokens, 1, 2);", 1, 5, "indicator() takes 1 argument, got 3"),
    (
        "x = aggregate(select(indices, indices, ==), tokens, colour=1);",
        1,
        53,
        "has no argument 'colour'",
    ),
    # selectors vs s-ops
    ("x = select(indices, indices, ==) + 1;", 1, 5, "a selector cannot be an operand of '+'"),
    (
        's = select(indices, indices, ==);\nx = s and tokens == "a";',
        2,
        11,
        "'and' cannot combine a selector with an s-op",
    ),
    ("x = selector_width(tokens);", 1, 20, "selector_width's argument must be a selector"),
    ("x = aggregate(tokens, tokens);", 1, 15, "aggregate's first argument must be a selector"),
    (
        "s = select(select(indices, indices, ==), indices, ==);",
        1,
        12,
        "select's keys must be an s-op, not a selector",
    ),
    ("output o = select(indices, indices, ==);", 1, 8, "an output must be an s-op, not a selector"),
    ("s = select(tokens, tokens, ==);", 1, 1, "the program has no output"),
    ("x = indices;\ny = x(1);", 2, 5, "'x' is not a function"),
    # aggregate of a selector
    (
        "s = select(indices, indices, ==);\nx = aggregate(s, s);",
        2,
        18,
        "cannot aggregate a selector",
    ),
    (
        'load "no_such_library";',
        1,
        6,
        "cannot load 'no_such_library': no file no_such_library.rasp",
    ),
    # compile-time values used where only the input could tell
    ("x = 1;\nfor i in tokens { y = i; }", 2, 10, "a value known before the input"),
    ("x = tokens[tokens];", 1, 12, "an s-op is indexed by a constant integer"),
    ("x = [1, 2][5];", 1, 12, "cannot index"),
    ("a, b = tokens, indices, length;", 1, 1, "2 names, but the value has 3 parts"),
    (
        "r = readout classes [1] bias [0.0] { tokens: {} };",
        1,
        5,
        "readout is only available in model mode",
    ),
    # other misuse
    ("x = tokens in tokens;", 1, 15, "'in' needs a list of constants"),
    ("x = [1, 2];\noutput x;", 2, 8, "a list can only be used after 'in'"),
    ("x = numerical(tokens);", 1, 5, "a numerical s-op cannot take the value 'a'"),
    ("x = map {1: 2} (tokens, indices);", 1, 10, "a map over two s-ops needs pair keys"),
    (
        "x = aggregate(select(indices, indices, ==), tokens, default=tokens);",
        1,
        61,
        "default must be a constant",
    ),
    ('x = aggregate(select(indices, indices, ==), tokens, reduce="max");', 1, 60, "reduce must be"),
    ("x = tokens;\noutput x;\noutput x;", 3, 8, "output 'x' is declared twice"),
    ("x = map {1: 2, 1: 3} (indices);", 1, 16, "two rows for one input"),
    ("def f(a) { return f(a); }\nx = f(tokens);", 1, 19, "recursion too deep"),
]


@pytest.mark.parametrize("source,line,col,phrase", BAD, ids=[b[3][:40] for b in BAD])
def test_bad_program(source, line, col, phrase):
    if "unknown name 'length'" in phrase:
        source = "#!tpc model\n" + source
        line += 1
        phrase = "'length' is not available in model mode"
    with pytest.raises(TpcError) as info:
        rasp_to_ir(source, "bad.rasp", "abc", 4)
    e = info.value
    message = str(e)
    assert message.startswith(f"bad.rasp:{line}:{col}: "), message
    assert phrase in message
    assert "\n" not in message
    assert (e.filename, e.line, e.column) == ("bad.rasp", line, col)
    source_line, caret = e.details.split("\n")
    assert source_line == source.splitlines()[line - 1]
    assert caret == " " * (col - 1) + "^"


def test_at_least_twenty_bad_programs():
    assert len(BAD) >= 20
