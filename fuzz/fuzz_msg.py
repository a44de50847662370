"""Fuzz the Outlook MSG extractor with atheris.

Run ``python fuzz/fuzz_msg.py [libFuzzer flags]``; ``make fuzz`` runs every harness.
"""

import atheris
import harness

if __name__ == "__main__":
    run, argv = harness.prepare("msg")
    atheris.Setup(argv, run)
    atheris.Fuzz()
