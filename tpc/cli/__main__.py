"""`python -m tpc.cli ...` (e.g. under torchrun) is `tpc ...`."""

from tpc.cli import main

main(prog_name="tpc")
