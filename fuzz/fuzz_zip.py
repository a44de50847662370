"""Fuzz the ZIP extractor with atheris.

Run ``python fuzz/fuzz_zip.py [libFuzzer flags]``; ``make fuzz`` runs every harness.
"""

import atheris
import harness

if __name__ == "__main__":
    run, argv = harness.prepare("zip")
    atheris.Setup(argv, run)
    atheris.Fuzz()
