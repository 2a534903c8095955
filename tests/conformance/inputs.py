"""The inputs every conformance program runs on: lengths 1 to 10, letters and digits."""

INPUTS = [
    "a",
    "7",
    "ab",
    "12",
    "aba",
    "121",
    "abca",
    "3312",
    "hello",
    "10 9 8 7 6",
    "abcabc",
    "1234567",
    "abcdabcd",
    "9 8 7 6 5 4 3 2 1",
    "abcdefghij",
]
