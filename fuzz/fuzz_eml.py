"""Fuzz the e-mail (EML) extractor with atheris.

Run ``python fuzz/fuzz_eml.py [libFuzzer flags]``; ``make fuzz`` runs every harness.
"""

import atheris
import harness

if __name__ == "__main__":
    run, argv = harness.prepare("eml")
    atheris.Setup(argv, run)
    atheris.Fuzz()
