"""Fuzz log ingest of syslog with atheris.

Run ``python fuzz/fuzz_logs_syslog.py [libFuzzer flags]``; ``make fuzz`` runs every harness.
"""

import atheris
import harness

if __name__ == "__main__":
    run, argv = harness.prepare("logs_syslog")
    atheris.Setup(argv, run)
    atheris.Fuzz()
