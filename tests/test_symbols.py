"""Document symbols in footnotes and running text."""

from __future__ import annotations

import pytest

from graph_builder.models import DocumentRef as D
from graph_builder.symbols import find_symbols, footnote_targets


@pytest.mark.parametrize(("text", "expected"), [
    ("Resolution 40/34, annex.", [D("A/RES/40/34", "")]),
    ("See E/2002/68/Add.1.", [D("E/2002/68/Add.1")]),
    ("Resolution 54/263, annex II.", [D("A/RES/54/263", "II")]),
    ("its resolution 55/25 of 15 November 2000", [D("A/RES/55/25")]),
    ("resolutions 55/25 of 15 November 2000 and 55/255 of 31 May 2001",
     [D("A/RES/55/25"), D("A/RES/55/255")]),
    ("Security Council resolution 2388 (2017)", [D("S/RES/2388 (2017)")]),
    ("S/RES/2331 (2016)", [D("S/RES/2331 (2016)")]),
    ("Economic and Social Council resolution 2017/18", [D("E/RES/2017/18")]),
    ("Human Rights Council resolution 50/7", [D("A/HRC/RES/50/7")]),
    ("resolution 217 A (III)", [D("A/RES/217 A (III)")]),
    ("resolution ES-10/1", [D("A/RES/ES-10/1")]),
    ("See A/73/12 (Part I).", [D("A/73/12 (Part I)")]),
    ("See CTOC/COP/2020/10, annex.", [D("CTOC/COP/2020/10", "")]),
    ("United Nations, Treaty Series, vol. 2225, No. 39574.", []),
    ("the age of 18 and Convention No. 182", []),
    ("Security Council resolutions 2106 (2013) of 24 June 2013, 2117 (2013) and 2242 (2015)",
     [D("S/RES/2106 (2013)"), D("S/RES/2117 (2013)"), D("S/RES/2242 (2015)")]),
    ("the Conference of the Parties to the Convention, in its resolution 12/4,", []),
    ("Resolution 69/283, annexes I and II.", [D("A/RES/69/283", "I"), D("A/RES/69/283", "II")]),
    ("Human Rights Council resolution 50/7 and General Assembly resolution 77/1",
     [D("A/HRC/RES/50/7"), D("A/RES/77/1")]),
])
def test_find_symbols(text, expected):
    assert [m.ref for m in find_symbols(text)] == expected


@pytest.mark.parametrize(("text", "previous", "expected"), [
    ("Ibid., annex II.", (D("A/RES/55/25", "I"),), (D("A/RES/55/25", "II"),)),
    ("Ibid., annex.", (D("A/RES/55/25", "I"),), (D("A/RES/55/25", ""),)),
    ("Ibid.", (D("A/RES/55/25", "I"),), (D("A/RES/55/25", "I"),)),
    ("Ibid., annex II.", (), ()),  # an Ibid. with nothing before it resolves to nothing
    ("Resolution 55/25, annex I.", (D("A/RES/1/1"),), (D("A/RES/55/25", "I"),)),
    ("Ibid., Supplement No. 2 (E/2024/22).", (D("E/2023/22"),), (D("E/2024/22"),)),
    ("Ibid., annexes I and II.", (D("A/RES/69/283", ""),),
     (D("A/RES/69/283", "I"), D("A/RES/69/283", "II"))),
])
def test_footnote_targets(text, previous, expected):
    assert footnote_targets(text, previous) == expected
