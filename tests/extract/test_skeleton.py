"""ASCII views of a text (`skeleton`): one byte per character, hiding only what the
callers check on the text itself."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from evimap.extract.skeleton import ascii_view, beyond_ascii, skeleton

# Digits (ASCII, Arabic-Indic, full-width), punctuation, units, a literal "?" (what the
# ASCII view writes for a character beyond ASCII) and letters beyond ASCII.
_PIECES = st.sampled_from(
    [
        *"0123456789",
        "\u0661",
        "\uff13",
        " ",
        ".",
        ",",
        "-",
        "\u2013",
        "/",
        "?",
        "\n",
        "mg",
        "kg",
        "\u00b5g",
        "x",
        "\u00e9",
        "\u00b1",
        "\u6c2f",
        "\u00b2",
    ]
)
_TEXTS = st.lists(_PIECES, max_size=40).map("".join)


@given(_TEXTS)
@example("Dose 0.5 mg/kg, 1,000 \u00b1 12 mg? \u00b2 x9")
def test_skeleton_keeps_offsets_ascii_letters_and_digits(text: str) -> None:
    view = skeleton(text)
    assert len(view) == len(ascii_view(text)) == len(text)
    assert skeleton(text, ascii_view(text)) == view
    for char, byte in zip(text, view, strict=True):
        kept = char.isascii() and char.isalnum()
        assert chr(byte) == (char if kept else " ")


@given(_TEXTS)
def test_beyond_ascii_lists_the_characters_beyond_ascii(text: str) -> None:
    assert beyond_ascii(text) == "".join(c for c in text if not c.isascii())


@given(_TEXTS)
def test_a_skeleton_with_digits_alike_has_every_ascii_digit_a_zero(text: str) -> None:
    plain, alike = skeleton(text), skeleton(text, digits_alike=True)
    assert alike == bytes(48 if chr(b).isdigit() else b for b in plain)
