"""Fuzz the DOCX extractor with atheris.

Run ``python fuzz/fuzz_docx.py [libFuzzer flags]``; ``make fuzz`` runs every harness.
"""

import atheris
import harness

if __name__ == "__main__":
    run, argv = harness.prepare("docx")
    atheris.Setup(argv, run)
    atheris.Fuzz()
