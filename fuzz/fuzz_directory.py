"""Fuzz the directory CSV importer with atheris.

Run ``python fuzz/fuzz_directory.py [libFuzzer flags]``; ``make fuzz`` runs every harness.
"""

import atheris
import harness

if __name__ == "__main__":
    run, argv = harness.prepare("directory")
    atheris.Setup(argv, run)
    atheris.Fuzz()
