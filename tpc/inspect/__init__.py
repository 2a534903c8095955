"""Looking inside programs: trace one input, draw the dataflow graph, find circuits by ablation.

Every tool reads the IR (`artifact.load_artifact` turns any artifact `tpc verify` accepts into
one) and takes its values from `tpc.interp`, so one code path serves models and programs."""
