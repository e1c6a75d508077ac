"""The checking framework of the course, shared by the visible checks and the hidden tests.

    code    what the grader reads in the submitted source: the constructs graded code may
            use, and which course-library objects an exercise's function reaches
"""
