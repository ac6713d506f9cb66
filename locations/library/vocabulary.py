"""Seeded library words that readers of every language see: the English category names of seeds/location_categories.csv, here so that pybabel puts them in the catalogues (tests/library/test_vocabulary.py keeps this in step with the seed)."""

from __future__ import annotations


def N_(text: str) -> str:
    """Marks seeded text for the catalogue (pybabel extracts N_); the text is looked up when shown."""
    return text


# seeds/location_categories.csv name_en
CATEGORY_NAMES = (
    N_("Street"),
    N_("Shopping street"),
    N_("Residential area"),
    N_("Office building"),
    N_("Station"),
    N_("Railway"),
    N_("Port and wharf"),
    N_("Coast and beach"),
    N_("River and riverbank"),
    N_("Bridge"),
    N_("Mountain and highland"),
    N_("Forest"),
    N_("Waterfall and gorge"),
    N_("Rural village"),
    N_("Farmland"),
    N_("Temple or shrine"),
    N_("Castle or historic site"),
    N_("Museum or gallery"),
    N_("School"),
    N_("Hospital"),
    N_("Factory or warehouse"),
    N_("Park"),
    N_("Road"),
    N_("Airport"),
    N_("Hot spring or bathhouse"),
    N_("Campsite"),
    N_("Viewpoint"),
    N_("Tourist facility"),
)
