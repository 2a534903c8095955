"""Looking inside programs: trace one input, draw the dataflow graph, find circuits by ablation.

Every tool reads the IR (`tpc.artifact.load` turns any artifact `tpc verify` accepts, but an
emitted module, into one) and takes its values from `tpc.interp`, so one code path serves
models and programs."""
