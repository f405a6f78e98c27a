"""matplotlib figures for the display layer and the widgets: one way to make them, one way to save them."""
import io


def new_figure(**kwargs):
    """A Figure made by pyplot and released at once: making it loads pyplot's backend, which in a notebook is
    the inline backend that shows a returned Figure as a picture (a bare ``Figure()`` would show as text
    until something else loaded it); released, it is not shown a second time when the cell ends."""
    import matplotlib.pyplot as plt

    fig = plt.figure(**kwargs)
    plt.close(fig)
    return fig


def figure_png(figure, *, dpi=None, tight=False):
    """PNG bytes of a matplotlib figure, without the version stamp, so equal pictures give equal bytes.

    ``dpi``: the figure's own unless given.  ``tight``: crop to what is drawn; the graph drawings are sized
    to their content already, and the tight box costs a second full render.
    """
    options = {"metadata": {"Software": None}}
    if dpi is not None:
        options["dpi"] = dpi
    if tight:
        options["bbox_inches"] = "tight"
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", **options)
    return buffer.getvalue()
