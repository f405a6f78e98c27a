"""Each lesson names the kernel ipykernel installs, exactly, and its own language.

A kernelspec that differs from the installed kernel's (``"Python 3"`` where ipykernel says ``"Python 3
(ipykernel)"``) makes JupyterLab rewrite it on the first save: every lesson would open "modified", and a copied
lesson would count as edited by ``python -m nbgrad lessons``.
"""
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def metadata(lesson):
    return json.loads(lesson.read_text(encoding="utf-8"))["metadata"]


@pytest.fixture(scope="module")
def installed_kernel():
    pytest.importorskip("ipykernel", reason='the lessons\' kernel is ipykernel\'s: pip install -e ".[notebook]"')
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    return {"display_name": spec.display_name, "language": spec.language, "name": "python3"}


def test_there_are_lessons():
    assert len(LESSONS) >= 18


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_lesson_kernelspec_is_the_installed_kernels(lesson, installed_kernel):
    assert metadata(lesson)["kernelspec"] == installed_kernel


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_lesson_names_the_language_of_its_folder(lesson):
    assert metadata(lesson)["nbgrad"]["language"] == lesson.parent.name
