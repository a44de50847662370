"""Fuzz the Entra ID export importer with atheris.

Run ``python fuzz/fuzz_entra.py [libFuzzer flags]``; ``make fuzz`` runs every harness.
"""

import atheris
import harness

if __name__ == "__main__":
    run, argv = harness.prepare("entra")
    atheris.Setup(argv, run)
    atheris.Fuzz()
