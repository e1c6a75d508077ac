"""The grading engine: collect, sandbox, kernels, grader, gradebook, reports."""
