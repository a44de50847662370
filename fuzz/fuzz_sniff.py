"""Fuzz extraction of files whose name has no known suffix (format sniffing) with atheris.

Run ``python fuzz/fuzz_sniff.py [libFuzzer flags]``; ``make fuzz`` runs every harness.
"""

import atheris
import harness

if __name__ == "__main__":
    run, argv = harness.prepare("sniff")
    atheris.Setup(argv, run)
    atheris.Fuzz()
