"""Fuzz log ingest of ECS JSON Lines with atheris.

Run ``python fuzz/fuzz_logs_jsonl.py [libFuzzer flags]``; ``make fuzz`` runs every harness.
"""

import atheris
import harness

if __name__ == "__main__":
    run, argv = harness.prepare("logs_jsonl")
    atheris.Setup(argv, run)
    atheris.Fuzz()
