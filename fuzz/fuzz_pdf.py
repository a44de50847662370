"""Fuzz the PDF extractor with atheris.

Run ``python fuzz/fuzz_pdf.py [libFuzzer flags]``; ``make fuzz`` runs every harness.
"""

import atheris
import harness

if __name__ == "__main__":
    run, argv = harness.prepare("pdf")
    atheris.Setup(argv, run)
    atheris.Fuzz()
