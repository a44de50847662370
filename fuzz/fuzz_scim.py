"""Fuzz the SCIM importer with atheris.

Run ``python fuzz/fuzz_scim.py [libFuzzer flags]``; ``make fuzz`` runs every harness.
"""

import atheris
import harness

if __name__ == "__main__":
    run, argv = harness.prepare("scim")
    atheris.Setup(argv, run)
    atheris.Fuzz()
