"""The array seam's start-up choices: the allocator tuning and its switch."""
import os
import subprocess
import sys


def test_allocator_tuning_can_be_switched_off():
    code = "import glasstorch.backend as b; print(b.ALLOCATOR_TUNED)"
    on = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip()
    off = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "GLASSTORCH_TUNE_MALLOC": "0"}).stdout.strip()
    assert (on, off) == ("True", "False")
