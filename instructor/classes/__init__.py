"""Classes of submissions that exercise the engine: the sample class and hostile ones."""
