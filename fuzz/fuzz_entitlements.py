"""Fuzz the entitlements importer with atheris.

Run ``python fuzz/fuzz_entitlements.py [libFuzzer flags]``; ``make fuzz`` runs every harness.
"""

import atheris
import harness

if __name__ == "__main__":
    run, argv = harness.prepare("entitlements")
    atheris.Setup(argv, run)
    atheris.Fuzz()
