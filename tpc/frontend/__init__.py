"""The RASP frontend: tpc's RASP dialect (grammar/rasp.lark) -> IR programs."""

from .compiler import compile_file, compile_rasp
from .parser import parse
from .pragmas import Pragmas, read_pragmas

__all__ = ["compile_rasp", "compile_file", "parse", "Pragmas", "read_pragmas"]
