"""``assert_safe_html``: the checks every HTML output of nbgrad must pass (cards now, widgets later)."""
from html.parser import HTMLParser


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []  # (tag, attributes) in document order

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def assert_safe_html(html, *, forbidden_text=()):
    """Fail if ``html`` could run code: a <script> element, an ``on*=`` event attribute or a ``javascript:``
    URL, anywhere.  ``forbidden_text`` lists raw user strings that must only appear escaped.

    Attributes are read with a real HTML parser, so an escaped ``onerror=`` inside text (which is
    harmless and expected when a user's label contains one) is not mistaken for an attribute.
    """
    assert "<script" not in html.lower(), "HTML contains a <script> element"
    parser = _Tags()
    parser.feed(html)
    parser.close()
    assert parser.tags, "no HTML elements found: was the wrong string passed?"
    for tag, attrs in parser.tags:
        assert tag != "script", "HTML contains a <script> element"
        for name, value in attrs:
            assert not name.lower().startswith("on"), f"<{tag}> has an event attribute {name}={value!r}"
            assert "javascript:" not in (value or "").lower(), f"<{tag} {name}> holds a javascript: URL"
    for text in forbidden_text:
        assert text not in html, f"unescaped user text {text!r} in HTML"
