"""Fuzz the Intune devices importer with atheris.

Run ``python fuzz/fuzz_intune.py [libFuzzer flags]``; ``make fuzz`` runs every harness.
"""

import atheris
import harness

if __name__ == "__main__":
    run, argv = harness.prepare("intune")
    atheris.Setup(argv, run)
    atheris.Fuzz()
