"""Fuzz the detectors (detect and detect_cells) with atheris.

Run ``python fuzz/fuzz_detect.py [libFuzzer flags]``; ``make fuzz`` runs every harness.
"""

import atheris
import harness

if __name__ == "__main__":
    run, argv = harness.prepare("detect")
    atheris.Setup(argv, run)
    atheris.Fuzz()
