"""Fuzz log ingest of CSV logs with atheris.

Run ``python fuzz/fuzz_logs_csv.py [libFuzzer flags]``; ``make fuzz`` runs every harness.
"""

import atheris
import harness

if __name__ == "__main__":
    run, argv = harness.prepare("logs_csv")
    atheris.Setup(argv, run)
    atheris.Fuzz()
