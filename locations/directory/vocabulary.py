"""Seeded directory words that readers of every language see: the English names of the regional blocks (seeds/blocks.csv), here so that pybabel puts them in the catalogues."""

from __future__ import annotations


def N_(text: str) -> str:
    """Marks seeded text for the catalogue (pybabel extracts N_); the text is looked up when shown."""
    return text


# seeds/blocks.csv name_en
BLOCK_NAMES = (
    N_("Hokkaido block"),
    N_("Tohoku block"),
    N_("Kanto block (incl. Yamanashi - estimate)"),
    N_("Hokushinetsu block (estimate)"),
    N_("Tokai block (estimate)"),
    N_("Kinki block"),
    N_("Chugoku block"),
    N_("Shikoku block"),
    N_("Kyushu block"),
    N_("Okinawa block"),
)
