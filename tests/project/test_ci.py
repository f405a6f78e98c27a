""".ci/run removes what it created: its stages make their temporary files under its work folder, which its exit
trap removes (pytest's basetemp alone once left 1.5 GB of virtual environments in /tmp per run)."""
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")

# Where a program puts a temporary file, where pytest puts its basetemp (inside tempfile.gettempdir()), and where
# the docs site's tests cache their downloads.
PROBE = '''
python3 -c 'import tempfile; print(tempfile.gettempdir()); print(tempfile.mkdtemp())'
python3 -c 'from nbgrad.sphinxext.assets import cache_dir; print(cache_dir())'
mktemp -d
echo "work=$work"
'''


def test_every_temporary_file_of_a_stage_goes_under_the_work_folder_and_is_removed():
    # The set-up that precedes the stages (from the work folder to the first stage's definition), then a probe
    # where the stages would run. Installing Chromium (above it) is left out.
    setup = re.search(r"^work=.*?(?=^fresh_venv\(\))", CI, re.S | re.M).group(0)
    done = subprocess.run(["bash", "-c", "set -euo pipefail\n" + setup + PROBE], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    *made, work = done.stdout.split()
    work = Path(work.removeprefix("work="))
    assert len(made) == 4
    for path in map(Path, made):
        assert path.is_relative_to(work), f"{path} is outside .ci/run's work folder {work}"
        assert not path.exists(), f"{path} outlived .ci/run"
    assert not work.exists()


def test_no_stage_chooses_its_own_temporary_folder():
    """A stage that set TMPDIR (or pytest's --basetemp) elsewhere would escape the trap."""
    assert len(re.findall(r"TMPDIR=", CI)) == 1
    assert "--basetemp" not in CI


def test_the_benchmark_tests_that_need_torch_run_in_the_torch_pass(tmp_path):
    """CI's last stage runs ``python -m pytest -m torch tests``: a test that needs torch without the marker
    would be skipped in every stage (no torch before that one). With torch hidden, ``-m "not torch"`` skips
    nothing for want of it, and ``-m torch`` selects the tests that use it."""
    (tmp_path / "torch.py").write_text('raise ModuleNotFoundError("No module named \'torch\'", name="torch")\n')
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    run = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs", "tests/project/test_benchmarks.py"]
    without = subprocess.run([*run, "-m", "not torch"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert without.returncode == 0, without.stdout[-3000:]
    skipped_for_torch = [line for line in without.stdout.splitlines()
                         if line.startswith("SKIPPED") and "torch" in line.lower()]
    assert skipped_for_torch == []
    selected = subprocess.run([*run, "-m", "torch", "--collect-only"], cwd=ROOT, env=env, capture_output=True,
                              text=True)
    assert "test_torch_step_trains_like_nbgrad" in selected.stdout
    assert "test_overhead_contenders_compute_nbgrads_gradients[torch]" in selected.stdout
