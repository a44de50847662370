"""Fuzz log ingest of Windows Security events with atheris.

Run ``python fuzz/fuzz_logs_windows.py [libFuzzer flags]``; ``make fuzz`` runs every harness.
"""

import atheris
import harness

if __name__ == "__main__":
    run, argv = harness.prepare("logs_windows")
    atheris.Setup(argv, run)
    atheris.Fuzz()
