"""Memory of the served process (issue 9): heavy libraries imported only where they are used,
glibc's malloc options set by `razem serve` unless the environment sets them. Each check runs
in a fresh interpreter, since this test process has imported everything already."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from server.common.memory import MALLOC_OPTIONS


def _run(code: str, **env: str) -> str:
    environment = {
        **{k: v for k, v in os.environ.items() if k not in MALLOC_OPTIONS},
        "RAZEM_SECRET_KEY": "s" * 40,
        **env,
    }
    done = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_the_app_starts_without_the_libraries_only_some_requests_need() -> None:
    loaded = json.loads(
        _run(
            "import json, sys, server.app; from server.app import create_served_app; "
            "create_served_app(); "
            "print(json.dumps([m for m in ('zxcvbn', 'segno', 'openpyxl') if m in sys.modules]))"
        )
    )
    assert loaded == []


def test_judging_a_password_still_uses_zxcvbn() -> None:
    out = _run(
        "import sys; from server.auth.passwords import password_weakness; "
        "print(password_weakness('password1234') is not None, "
        "password_weakness('violet kayak pelican thunder') is None, 'zxcvbn' in sys.modules)"
    )
    assert out == "True True True"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_tune_malloc_sets_both_options_unless_the_environment_does() -> None:
    code = "from server.common.memory import tune_malloc; print(sorted(tune_malloc()))"
    assert _run(code) == "['MALLOC_ARENA_MAX', 'MALLOC_MMAP_THRESHOLD_']"
    assert _run(code, MALLOC_ARENA_MAX="4") == "['MALLOC_MMAP_THRESHOLD_']"
