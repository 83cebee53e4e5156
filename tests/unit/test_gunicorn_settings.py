"""The gunicorn settings the README's production command loads."""

from __future__ import annotations

import subprocess
import sys


def test_a_worker_sets_aside_what_it_built_and_collects_cycles_less_often():
    # A process of its own: the hook changes the interpreter's collector for good.
    probe = (
        "import gc; from interviews import gunicorn_settings as s; "
        "before = gc.get_threshold(); s.post_worker_init(None); "
        "print(before, gc.get_threshold(), gc.get_freeze_count() > 0)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split(") ")
    assert out[0] == "(700, 10, 10"
    assert out[1] == "(50000, 10, 10"
    assert out[2].strip() == "True"
