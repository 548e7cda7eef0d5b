"""QR check-in cards: the QR holds only the person's pseudonymous code, never their name."""

from __future__ import annotations

CARD_PREFIX = "RAZEM:"


def card_payload(code: str) -> str:
    return f"{CARD_PREFIX}{code}"


def code_from_scan(text: str) -> str:
    """The person code in a scanned QR text ("RAZEM:ABC234"), or the text itself."""
    text = text.strip()
    return text[len(CARD_PREFIX) :] if text.upper().startswith(CARD_PREFIX) else text


def qr_svg(code: str) -> str:
    """An inline SVG of the card's QR code (dark modules on white, quiet zone included)."""
    import segno  # imported when a card is drawn: 1.3 MB a process otherwise (issue 9)

    qr = segno.make(card_payload(code), error="m")
    svg: str = qr.svg_inline(scale=6, dark="#000", light="#fff", omitsize=False)
    return svg
