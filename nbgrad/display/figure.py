"""matplotlib figures for the display layer and the widgets: one way to make them, one way to save them, and
the fonts their text is set in."""
import io
import unicodedata
from functools import lru_cache

# Fonts with the Chinese characters, most common first (Linux, Windows, macOS). matplotlib falls back from
# a font to the next in a list, glyph by glyph, but warns about every name in it that is not installed:
# so only installed ones are listed.
_CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
              "Microsoft YaHei", "SimHei", "PingFang SC", "Hiragino Sans GB", "Heiti SC", "Arial Unicode MS")


def words(key, **values):
    """The catalogue's sentence ``key`` for a picture: in the language spoken if an installed font can draw it,
    else in English (rather than a row of empty boxes, with a warning from matplotlib in the lesson's output)."""
    from ..i18n import DEFAULT, catalogue, message

    text = message(key, **values)
    if len(font_family("DejaVu Sans")) == 1 and any(unicodedata.east_asian_width(c) in "WF" for c in text):
        return catalogue(DEFAULT)[key].format(**values)
    return text


@lru_cache(None)
def font_family(font):
    """``font``, followed by an installed font with Chinese characters if there is one: a ``family`` for text."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return [font, *[name for name in _CJK_FONTS if name in installed][:1]]


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
