"""Fuzz the JSON and JSON Lines extractor with atheris.

Run ``python fuzz/fuzz_json.py [libFuzzer flags]``; ``make fuzz`` runs every harness.
"""

import atheris
import harness

if __name__ == "__main__":
    run, argv = harness.prepare("json")
    atheris.Setup(argv, run)
    atheris.Fuzz()
