"""GraphView(loss, group="module"): module boxes opened and closed from the widget, with no browser."""
import numpy as np
import pytest

pytest.importorskip("ipywidgets", reason="the widgets need ipywidgets (pip install -e '.[notebook]')")

import nbgrad  # noqa: E402
from html_checks import assert_safe_html  # noqa: E402
from i18n_checks import english_sentences  # noqa: E402
from module_models import LeNet, Nested, loss_of  # noqa: E402
from nbgrad.widgets import GraphView  # noqa: E402


def boxes(view):
    return [a["label"] for _, a in view.graph.nodes(data=True) if a["kind"] == "module"]


def lenet_view(**options):
    nbgrad.manual_seed(0)
    model = LeNet()
    loss = loss_of(model, nbgrad.randn(2, 1, 32, 32))
    return model, loss, GraphView(loss, group="module", model=model, **options)


def test_opening_and_closing_a_module_changes_the_picture_and_the_state_text():
    model, loss, view = lenet_view()
    assert [label for label, _ in view.module_picker.options] == [
        "conv1: Conv2d", "conv2: Conv2d", "fc1: Linear", "fc2: Linear", "fc3: Linear"]
    assert boxes(view) == ["fc3: Linear", "fc2: Linear", "fc1: Linear", "conv2: Conv2d", "conv1: Conv2d"]
    closed_png, closed_text = view.image.value, view.state_text()
    assert "fc1: Linear" in closed_text and "open: none" in closed_text
    view.module_picker.value = "fc1"
    assert view.open_toggle.value is False
    view.open_toggle.value = True
    assert view.opened == ("fc1",) and "fc1: Linear" not in boxes(view)
    ops = [a["op"] for _, a in view.graph.nodes(data=True) if a["kind"] == "operation"]
    assert "AddmmBackward0" in ops and "TBackward0" in ops  # what fc1 is made of, drawn
    assert view.image.value != closed_png and "open: fc1" in view.state_text()
    assert [label for label, _ in view.picker.options if "Addmm" in label]  # its nodes can be picked
    view.open_toggle.value = False
    assert view.opened == () and boxes(view)[2] == "fc1: Linear"
    assert view.image.value == closed_png and view.state_text() == closed_text


def test_picking_a_box_shows_its_parameters_and_their_gradients():
    model, loss, view = lenet_view()
    view.selected = "module:conv2"
    assert view.module_picker.value == "conv2", "picking a box picks its module"
    details = view.details.value
    assert "conv2: Conv2d" in details and "weight 16×6×5×5" in details and "None yet" in details
    loss.backward()
    view.refresh_if_changed()
    assert view.selected == "module:conv2" and "None yet" not in view.details.value
    text = view.state_text()
    for name, p in model.named_parameters():
        shown = next(grad for _, a in view.graph.nodes(data=True) if a["kind"] == "module"
                     for pname, _, grad in a["parameters"] if f"{a['module']}.{pname}" == name)
        assert np.array_equal(shown, p.grad.numpy())
        assert f"{name} = " in text
    assert_safe_html(view._repr_mimebundle_()["text/html"])


def test_opening_a_nested_module_opens_the_modules_around_it():
    nbgrad.manual_seed(0)
    model = Nested()
    loss = loss_of(model, nbgrad.randn(4, 3))
    view = GraphView(loss, group="module", model=model)
    assert boxes(view) == ["head: Linear", "features: Sequential"]
    view.module_picker.value = "features.0"
    view.open_toggle.value = True
    assert view.opened == ("features", "features.0")
    assert boxes(view) == ["head: Linear", "features.2: Linear"]
    view.module_picker.value = "features"
    assert view.open_toggle.value is True
    view.open_toggle.value = False
    assert boxes(view) == ["head: Linear", "features: Sequential"]
    view.opened = ("head", "features", "head")  # set by hand: kept sorted, once each
    assert view.opened == ("features", "head") and boxes(view) == ["features.2: Linear", "features.0: Linear"]
    import traitlets

    with pytest.raises(traitlets.TraitError, match="'tail': no such module in this graph"):
        view.opened = ("tail",)
    assert view.opened == ("features", "head")
    deeper = GraphView(loss, group="module", model=model, depth=2)
    assert deeper.opened == ("features",) and boxes(deeper) == ["head: Linear", "features.2: Linear",
                                                                 "features.0: Linear"]


def test_the_module_controls_speak_chinese():
    nbgrad.set_language("zh")
    try:
        model, loss, view = lenet_view()
        assert view.module_picker.description == "模块" and view.open_toggle.description == "展开"
        view.selected = "module:fc1"
        assert "参数" in view.details.value and "还没有" in view.details.value
        assert english_sentences(view.details_html()) == []
        (line,) = [line for line in view.state_text().splitlines() if "画成方框的有" in line]
        assert english_sentences(line) == []
    finally:
        nbgrad.set_language(None)


def test_bad_group_is_refused():
    model, loss, _ = lenet_view()
    with pytest.raises(ValueError, match="group must be None or 'module'"):
        GraphView(loss, group="layer")
