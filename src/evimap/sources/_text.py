"""Offset-preserving text from XML elements.

`itertext()` keeps every text node and every tail, so the space before and after an
inline element (`the <i>E. coli</i> strain`) survives; pubmed_parser's
`stringify_children` strips the pieces and glues them together, which turns
"2 <sub>x</sub> daily" into "2xdaily" and moves every later offset. Block elements
(paragraphs, section titles) end in a newline; runs of layout whitespace become one
space, so the result does not depend on how the XML was indented.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator

from lxml import etree

_BLOCK_END = "\ue000"
"""A private-use character marks block ends while layout whitespace is collapsed."""
_SPACES = re.compile(r"\s+")
_BLOCK_ENDS = re.compile(r" ?\ue000[\s\ue000]*")


def element_text(element: etree._Element, *, blocks: Collection[str] = ()) -> str:
    """The text of `element` with inline spacing kept; `blocks` tags end a line."""
    pieces = "".join(_pieces(element, blocks, top=True))
    return _BLOCK_ENDS.sub("\n", _SPACES.sub(" ", pieces)).strip()


def _pieces(element: etree._Element, blocks: Collection[str], *, top: bool) -> Iterator[str]:
    tag = etree.QName(element).localname if isinstance(element.tag, str) else ""
    is_block = tag in blocks and not top
    if is_block:
        yield _BLOCK_END
    if element.text and isinstance(element.tag, str):
        yield element.text
    for child in element:
        yield from _pieces(child, blocks, top=False)
    if is_block:
        yield _BLOCK_END
    if element.tail and not top:
        yield element.tail


def clean_space(text: str | None) -> str | None:
    """Text with runs of whitespace made one space; None for empty text."""
    if text is None:
        return None
    cleaned = re.sub(r"\s+", " ", text).strip()
    return cleaned or None
