"""Fuzz the CSV/TSV extractor with atheris.

Run ``python fuzz/fuzz_csv.py [libFuzzer flags]``; ``make fuzz`` runs every harness.
"""

import atheris
import harness

if __name__ == "__main__":
    run, argv = harness.prepare("csv")
    atheris.Setup(argv, run)
    atheris.Fuzz()
