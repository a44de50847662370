"""Fuzz the Jamf devices importer with atheris.

Run ``python fuzz/fuzz_jamf.py [libFuzzer flags]``; ``make fuzz`` runs every harness.
"""

import atheris
import harness

if __name__ == "__main__":
    run, argv = harness.prepare("jamf")
    atheris.Setup(argv, run)
    atheris.Fuzz()
