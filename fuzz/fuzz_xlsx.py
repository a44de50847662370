"""Fuzz the XLSX extractor with atheris.

Run ``python fuzz/fuzz_xlsx.py [libFuzzer flags]``; ``make fuzz`` runs every harness.
"""

import atheris
import harness

if __name__ == "__main__":
    run, argv = harness.prepare("xlsx")
    atheris.Setup(argv, run)
    atheris.Fuzz()
