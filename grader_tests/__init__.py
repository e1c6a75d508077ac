"""Hidden tests: one module per lesson, instructor-only, never copied into a release."""
