"""Fuzz the osquery results importer with atheris.

Run ``python fuzz/fuzz_osquery.py [libFuzzer flags]``; ``make fuzz`` runs every harness.
"""

import atheris
import harness

if __name__ == "__main__":
    run, argv = harness.prepare("osquery")
    atheris.Setup(argv, run)
    atheris.Fuzz()
