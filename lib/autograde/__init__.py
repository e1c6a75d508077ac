"""What runs inside the grading sandbox, and the wire both sides of it speak.

    wire    plain-data encoding of values and messages (no pickle), used by both sides
    client  serve(name): the hidden region of a graded cell; calls the student's function
            for the grader outside the sandbox and prints the report it sends back
    zygote  forks one Jupyter kernel per notebook inside the student's sandbox

Nothing here holds an answer: the hidden tests and the reference solutions stay in the
grader's process, outside the sandbox.
"""
