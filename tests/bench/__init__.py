"""The benchmark and its plan generators (not collected by pytest: no test_*.py here).

    python -m tests.bench [--sizes small,large] [--repeat N] [--json]
    python -m tests.bench.generate OUT_DIR [--size large] [--history]
"""
