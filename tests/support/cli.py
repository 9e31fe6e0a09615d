"""Run the real CLI: in-process through Typer's CliRunner, or as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from opencircuit_cli.cli.app import app
from opencircuit_cli.environment import Environment

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    stdout: str
    stderr: str


def invoke(*args: str, input: str | None = None, plugins: tuple = ()) -> Outcome:
    """Run the CLI in-process; `plugins` are extra ProviderSpecs for the real registry."""
    result = CliRunner().invoke(app, list(args), input=input, obj=Environment(plugins=plugins))
    return Outcome(result.exit_code, result.stdout, result.stderr)


def run_subprocess(
    *args: str, keyring_file: Path, input: str | None = None, extra_env: dict | None = None
) -> Outcome:
    env = dict(os.environ)
    env.update(
        {
            "PYTHON_KEYRING_BACKEND": "tests.support.memory_keyring.FileKeyring",
            "OPENCIRCUIT_TEST_KEYRING": str(keyring_file),
            "PYTHONPATH": str(REPO),
            "NO_COLOR": "1",
        }
    )
    env.update(extra_env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "opencircuit_cli", *args],
        input=input,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    return Outcome(proc.returncode, proc.stdout, proc.stderr)
