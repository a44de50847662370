"""Fuzz the device collector document importer with atheris.

Run ``python fuzz/fuzz_collector.py [libFuzzer flags]``; ``make fuzz`` runs every harness.
"""

import atheris
import harness

if __name__ == "__main__":
    run, argv = harness.prepare("collector")
    atheris.Setup(argv, run)
    atheris.Fuzz()
