"""Fuzz the HR roster importer with atheris.

Run ``python fuzz/fuzz_hr.py [libFuzzer flags]``; ``make fuzz`` runs every harness.
"""

import atheris
import harness

if __name__ == "__main__":
    run, argv = harness.prepare("hr")
    atheris.Setup(argv, run)
    atheris.Fuzz()
