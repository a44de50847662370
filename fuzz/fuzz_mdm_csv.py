"""Fuzz the generic MDM CSV/XLSX importer with atheris.

Run ``python fuzz/fuzz_mdm_csv.py [libFuzzer flags]``; ``make fuzz`` runs every harness.
"""

import atheris
import harness

if __name__ == "__main__":
    run, argv = harness.prepare("mdm_csv")
    atheris.Setup(argv, run)
    atheris.Fuzz()
