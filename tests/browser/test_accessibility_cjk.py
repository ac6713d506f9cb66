"""axe-core on the main pages in Chinese (simplified and traditional) and Korean: the test of
test_accessibility.py, in a file of its own so that the suite's workers share the five languages' minutes."""
from __future__ import annotations

import pytest

from tests.browser.test_accessibility import axe_finds_nothing_serious
from tests.browser.test_usable_at_work import world  # noqa: F401 (fixture)


@pytest.mark.markup_only
@pytest.mark.parametrize("lang", ["zh_Hans", "zh_Hant", "ko"])
def test_axe_finds_nothing_serious_in_chinese_and_korean(new_page, browser_log, live_server, world, lang):  # noqa: F811
    axe_finds_nothing_serious(new_page, browser_log, live_server, world, lang)
