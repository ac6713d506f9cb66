"""The English names of the seeded incentive programmes (seeds/incentive_programs.csv), here so that pybabel puts them in the catalogues."""

from __future__ import annotations


def N_(text: str) -> str:
    """Marks seeded text for the catalogue (pybabel extracts N_); the text is looked up when shown."""
    return text


# seeds/incentive_programs.csv name_en
PROGRAM_NAMES = (
    N_("Cabinet Office pilot: attracting foreign film shoots (research survey)"),
    N_("Cabinet Office effect-verification survey for large productions (foreign production location project)"),
    N_("Cabinet Office survey on attracting large foreign productions for the digital age"),
    N_("METI Location Incentive (JLOX+)"),
    N_("METI creator and business support subsidy (foreign productions shooting in Japan)"),
)
