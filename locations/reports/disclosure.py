"""Which published figures to withhold so that no figure, and no figure worked out from the others by
subtraction, rests on fewer than a minimum number of contributors (pure: no database, no request).

A figure is a *cell*; each cell knows who contributed to it. A *sum* says a parent cell is exactly the
sum of its child cells (a prefecture of its film commissions, all years of each year, the total of every
prefecture, …). Cells with too few contributors are withheld first (FEW). Then, for every sum, what is
withheld must not be recoverable from what is shown:

- a withheld cell may not be the only withheld member of a sum (it would be the total minus the rest);
- when the parent is shown, the withheld children together must have at least the minimum of
  contributors (else their sum, total minus the rest, rests on too few).

Each time a sum breaks a rule one more of its cells is withheld (PROTECTS): a shown child, preferring one
whose withholding opens no new gap elsewhere, then the one with the fewest contributors. Those rules look
at one sum at a time; sums can also be combined (a chain of rows and columns), so the withheld cells are
then audited as a linear system over all sums together, and any withheld cell the system still pins down
exactly gets a neighbour withheld too. Withholding only ever adds cells, so this ends.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Hashable, Iterable, Mapping, Optional, Sequence

import numpy

FEW = "few"
PROTECTS = "protects"

Cell = Hashable


def withheld(contributors: Mapping[Cell, frozenset], sums: Iterable[tuple[Cell, Sequence[Cell]]],
             minimum: int) -> dict[Cell, str]:
    """The cells to withhold, each with why (FEW or PROTECTS); every cell of a sum must be in ``contributors``."""
    order = {cell: n for n, cell in enumerate(contributors)}
    hidden: dict[Cell, str] = {cell: FEW for cell, who in contributors.items() if len(who) < minimum}
    relations = [(parent, tuple(children)) for parent, children in sums if children]
    member_of: dict[Cell, list[int]] = defaultdict(list)
    for number, (parent, children) in enumerate(relations):
        for cell in (parent, *children):
            member_of[cell].append(number)

    def exposed(number: int) -> bool:
        parent, children = relations[number]
        hidden_children = [c for c in children if c in hidden]
        if parent in hidden:
            return not hidden_children
        if not hidden_children:
            return False
        if len(hidden_children) == 1:
            return True
        return len(frozenset().union(*(contributors[c] for c in hidden_children))) < minimum

    def gaps_opened(cell: Cell, number: int) -> int:
        """How many other sums would then have this cell as their only withheld member."""
        return sum(1 for other in member_of[cell] if other != number
                   and not any(m in hidden for m in (relations[other][0], *relations[other][1])))

    def protect(number: int, candidates: list[Cell]) -> None:
        choice = min(candidates, key=lambda c: (gaps_opened(c, number), len(contributors[c]), order[c]))
        hidden[choice] = PROTECTS

    changed, audited = True, -1
    while changed:
        changed = False
        for number, (parent, children) in enumerate(relations):
            while exposed(number):
                protect(number, [c for c in children if c not in hidden] or [parent])
                changed = True
        if len(hidden) == audited:
            break
        audited = len(hidden)
        pinned = _pinned_down(hidden, relations, order)
        if pinned is not None:
            number = _nearest_sum_with_a_shown_cell(pinned, hidden, relations, member_of)
            parent, children = relations[number]
            protect(number, [c for c in children if c not in hidden] or [parent])
            changed = True
    return hidden


def _nearest_sum_with_a_shown_cell(start: Cell, hidden, relations, member_of) -> int:
    """The sum closest to ``start`` (through sums of withheld cells only) that still shows a cell: the shown
    cells are what pin ``start`` down, and withholding one of them there loosens it. (A pinned cell always
    has one: were every cell withheld, the sums of real, positive figures would pin down none.)"""
    seen_cells, seen_sums, frontier = {start}, set(), [start]
    while frontier:
        following = []
        for cell in frontier:
            for number in member_of[cell]:
                if number in seen_sums:
                    continue
                seen_sums.add(number)
                members = (relations[number][0], *relations[number][1])
                if any(m not in hidden for m in members):
                    return number
                following += [m for m in members if m not in seen_cells]
                seen_cells.update(members)
        frontier = following
    raise AssertionError(f"{start!r} is pinned down by no shown cell")


def _pinned_down(hidden: Mapping[Cell, str], relations: list[tuple[Cell, tuple]], order) -> Optional[Cell]:
    """A withheld cell whose value the sums determine from the shown cells, if there is one.

    Each sum is an equation parent − children = 0; the shown cells are known numbers. A withheld cell is
    determined exactly when every solution of the homogeneous system agrees on it, i.e. its coordinate is
    zero across the null space of the withheld cells' coefficient matrix. Withheld cells that share no sum
    do not constrain each other, so each connected group is solved on its own (much smaller matrices)."""
    equations = []
    for parent, children in relations:
        terms: dict[Cell, float] = defaultdict(float)
        for cell, sign in ((parent, 1.0), *((c, -1.0) for c in children)):
            if cell in hidden:
                terms[cell] += sign
        terms = {cell: sign for cell, sign in terms.items() if sign}
        if terms:
            equations.append(terms)
    for group, rows in _connected(equations):
        unknown = sorted(group, key=order.__getitem__)
        column = {cell: n for n, cell in enumerate(unknown)}
        matrix = numpy.zeros((len(rows), len(unknown)))
        for n, terms in enumerate(rows):
            for cell, sign in terms.items():
                matrix[n, column[cell]] = sign
        # The null space of A is that of AᵀA (eigenvalue 0), which is small and symmetric: far faster than
        # an SVD of A itself.
        values, vectors = numpy.linalg.eigh(matrix.T @ matrix)
        null_space = vectors[:, values < 1e-9 * max(values.max(), 1.0)]
        for cell in unknown:
            if not null_space.size or numpy.abs(null_space[column[cell]]).max() < 1e-6:
                return cell
    return None


def _connected(equations: list[dict]) -> list[tuple[set, list[dict]]]:
    """The equations grouped by the withheld cells they share (union-find over cells)."""
    parent: dict = {}

    def find(cell):
        parent.setdefault(cell, cell)
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    for terms in equations:
        first, *rest = terms
        for cell in rest:
            parent[find(cell)] = find(first)
    groups: dict = defaultdict(lambda: (set(), []))
    for terms in equations:
        cells, rows = groups[find(next(iter(terms)))]
        cells.update(terms)
        rows.append(terms)
    return list(groups.values())
