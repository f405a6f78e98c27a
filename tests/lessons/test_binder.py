"""Binder's environment: binder/requirements.txt resolves in a fresh virtual environment and runs the lessons."""
import subprocess
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_binder_requirements_install_and_run_the_lessons(tmp_path):
    env_dir = tmp_path / "binder-env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # repo2docker runs pip from the repository root, so the relative ".[notebook]" means nbgrad itself.
    subprocess.run([python, "-m", "pip", "install", "-q", "-r", "binder/requirements.txt"], cwd=ROOT, check=True,
                   capture_output=True)
    # the runner only: nbgrad and everything the lessons import must come from binder/requirements.txt
    subprocess.run([python, "-m", "pip", "install", "-q", "pytest", "nbval"], check=True, capture_output=True)
    check = subprocess.run([python, "-c", "import nbgrad, ipywidgets, matplotlib, networkx; print(nbgrad.__file__)"],
                           cwd=tmp_path, check=True, capture_output=True, text=True)
    assert check.stdout.strip().startswith(str(env_dir)), "nbgrad should be installed, not found on the path"
    lessons = sorted(str(p) for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    assert lessons
    run = subprocess.run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax", "-o", "addopts=",
         "--rootdir", str(tmp_path), *lessons],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
