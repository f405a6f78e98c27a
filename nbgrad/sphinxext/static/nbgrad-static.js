/* nbgrad in a page with no kernel (a static site built with nbgrad.sphinxext).
 *
 * A stepper's Play and slider are linked in the browser already (jslink), but its buttons send their
 * clicks to a kernel that is not there.  Here step ▶ and ◀ back press the slider's own arrow keys and
 * reset presses Play's stop button: the slider view and Play then set their models exactly as a reader's
 * keys or clicks would, and the links carry the value to the frame shown.  Nothing of the widget manager
 * is reached into, so this keeps working whatever the page's widget scripts are, as long as they are
 * ipywidgets 8's.  In JupyterLab this file is not loaded and the buttons run in the kernel as before; in
 * any other page with no kernel (an HTML export, nbviewer) the widgets' stylesheet hides them.
 */
(function () {
  "use strict";

  var KEYS = {"nbgrad-step-forward": "ArrowRight", "nbgrad-step-back": "ArrowLeft", "nbgrad-step-reset": "Home"};

  function press(target, key) {
    target.dispatchEvent(new KeyboardEvent("keydown", {key: key, bubbles: true, cancelable: true}));
  }

  function onClick(event) {
    var button = event.target.closest && event.target.closest(".nbgrad-stepper button");
    if (!button) {
      return;
    }
    var stepper = button.closest(".nbgrad-stepper");
    var handle = stepper.querySelector(".widget-slider .noUi-handle");
    if (!handle) {
      return;
    }
    for (var name in KEYS) {
      if (button.classList.contains(name)) {
        if (name === "nbgrad-step-reset") {
          // stop also ends a play in progress; Home then covers a slider moved since
          var stop = stepper.querySelector(".widget-play button .fa-stop");
          if (stop) {
            stop.closest("button").click();
          }
        }
        press(handle, KEYS[name]);
        return;
      }
    }
  }

  document.addEventListener("click", onClick);
  // the widgets' own stylesheet hides the step buttons in a page with no kernel unless this is there
  document.documentElement.classList.add("nbgrad-static");
})();
