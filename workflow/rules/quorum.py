"""Consent quorum for adding an elevator — 民法典第二百七十八条.

Adding an elevator is a matter that changes the use of common parts, so the owners of the unit
decide it together: at least 2/3 of the exclusive area and 2/3 of the owners must take part, and
at least 3/4 of the participating area and 3/4 of the participating owners must agree.
"以上" includes the bound (民法典第一千二百五十九条): exactly 2/3 passes.

Area is counted per flat, owners per person (最高人民法院《关于审理建筑物区分所有权纠纷案件
适用法律若干问题的解释》, 法释〔2009〕7号, 2020 年修正, 第九条): one buyer of several flats is one
owner, and so are the flats the developer has not sold or handed over, together. A person takes
part when any of their flats has voted; their vote counts once. When their flats voted
differently, the flat the clerk recorded as standing decides; until then the person takes part
but is not counted as agreeing.

Ratios are exact fractions: a float 2/3 compared with 4/6 households can fail by one ulp.
"""

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

AGREE = "agree"
OBJECT = "object"
ABSTAIN = "abstain"
CHOICES = frozenset({AGREE, OBJECT, ABSTAIN})


@dataclass(frozen=True)
class QuorumThresholds:
    participation: Fraction = Fraction(2, 3)
    agreement: Fraction = Fraction(3, 4)

    def __post_init__(self) -> None:
        for name in ("participation", "agreement"):
            value = getattr(self, name)
            if not isinstance(value, Fraction | int) or not 0 < value <= 1:
                raise ValueError(f"表决比例必须是 0 到 1 之间的分数（不含 0）：{name}={value}")


@dataclass(frozen=True)
class Ballot:
    """One household's vote. `choice` None: not voted yet. Abstaining still participates.

    `owner` recognises one person across flats (None: the flat's owner owns no other flat);
    `stands` marks, for a person whose flats voted differently, the flat whose vote counts.
    """

    area: Decimal
    choice: str | None
    owner: Hashable | None = None
    stands: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.area, float) or not isinstance(self.area, Decimal | int):
            raise TypeError("专有面积须为 Decimal（不用浮点数）")
        if self.area <= 0:
            raise ValueError(f"专有面积必须大于 0：{self.area}")
        if self.choice is not None and self.choice not in CHOICES:
            raise ValueError(f"未知的表决意见：{self.choice}")


@dataclass(frozen=True)
class QuorumResult:
    participation_area: Fraction
    participation_count: Fraction
    # Agreement is measured against the participants only; 0 while nobody has taken part.
    agree_area: Fraction
    agree_count: Fraction
    participation_met: bool
    agreement_met: bool
    met: bool
    missing: tuple[str, ...]
    missing_en: tuple[str, ...]
    households: int
    voted: int
    agreed: int
    total_area: Decimal
    voted_area: Decimal
    agree_area_m2: Decimal
    # Owners as the law counts them (法释〔2009〕7号第九条); equal to the flats' counts above
    # when every flat has its own owner.
    owners: int = 0
    owners_voted: int = 0
    owners_agreed: int = 0
    # Per person whose flats voted differently and no standing vote is recorded: their flats.
    conflicts: tuple[tuple[int, ...], ...] = ()


CONFLICT = "conflict"


def owners_of(ballots: Sequence[Ballot]) -> list[list[int]]:
    """The ballots' indexes grouped by owner, in order of each owner's first flat."""
    groups: dict[Hashable, list[int]] = {}
    for i, b in enumerate(ballots):
        key = ("flat", i) if b.owner is None else ("owner", b.owner)
        groups.setdefault(key, []).append(i)
    return list(groups.values())


def owner_choice(ballots: Sequence[Ballot], flats: Sequence[int]) -> str | None:
    """One person's vote in the headcount: None (not voted), a choice, or CONFLICT."""
    chosen = {ballots[i].choice for i in flats if ballots[i].choice is not None}
    if not chosen:
        return None
    if len(chosen) == 1:
        return chosen.pop()
    standing = [ballots[i].choice for i in flats if ballots[i].stands and ballots[i].choice]
    return standing[0] if len(standing) == 1 else CONFLICT


def consent_quorum(
    ballots: Sequence[Ballot], thresholds: QuorumThresholds = QuorumThresholds()
) -> QuorumResult:
    """The four ratios of Art. 278 and, in words, what is still missing."""
    total_area = sum((Decimal(b.area) for b in ballots), Decimal(0))
    voted = [b for b in ballots if b.choice is not None]
    agreed = [b for b in voted if b.choice == AGREE]
    voted_area = sum((Decimal(b.area) for b in voted), Decimal(0))
    agree_area = sum((Decimal(b.area) for b in agreed), Decimal(0))
    # Households yet to vote, largest first: the fewest households that can close a gap.
    open_areas = sorted((Fraction(b.area) for b in ballots if b.choice is None), reverse=True)
    groups = owners_of(ballots)
    persons = [owner_choice(ballots, flats) for flats in groups]
    owners_voted = sum(1 for c in persons if c is not None)
    owners_agreed = persons.count(AGREE)
    conflicts = tuple(tuple(g) for g, c in zip(groups, persons, strict=True) if c == CONFLICT)
    distinct = len(groups) == len(ballots)

    participation_area = _ratio(voted_area, total_area)
    participation_count = _ratio(owners_voted, len(groups))
    agree_area_ratio = _ratio(agree_area, voted_area)
    agree_count_ratio = _ratio(owners_agreed, owners_voted)
    p, q = thresholds.participation, thresholds.agreement
    participation_met = bool(ballots) and participation_area >= p and participation_count >= p
    agreement_met = bool(voted) and agree_area_ratio >= q and agree_count_ratio >= q
    gaps = _Gaps(ballots, groups, persons) if not distinct else None

    missing: list[str] = []
    missing_en: list[str] = []
    if not ballots:
        missing.append("尚未登记住户，无法表决")
        missing_en.append("No households are registered yet, so there is nothing to vote on")
    else:
        if not participation_met and gaps is not None:
            zh, en = gaps.participation(Fraction(total_area), Fraction(voted_area), p)
            missing.append(zh)
            missing_en.append(en)
        elif not participation_met:
            zh, en = _participation_gap(
                len(ballots), len(voted), Fraction(total_area), Fraction(voted_area), open_areas, p
            )
            missing.append(zh)
            missing_en.append(en)
        if not agreement_met and not voted:
            # Nobody has voted: "one more agreeing household" would be a true minimum but
            # misleads next to the participation gap; say what the rule asks instead.
            missing.append(
                f"尚无住户表决；参与表决的住户中，同意的须达到户数和面积的 {ratio_str(q)}"
            )
            missing_en.append(
                f"Nobody has voted yet; of those who vote, {ratio_str(q)} by count and by area"
                " must agree"
            )
        elif not agreement_met and gaps is not None:
            zh, en = gaps.agreement(Fraction(voted_area), Fraction(agree_area), q)
            missing.append(zh)
            missing_en.append(en)
        elif not agreement_met:
            zh, en = _agreement_gap(
                len(voted), len(agreed), Fraction(voted_area), Fraction(agree_area), open_areas, q
            )
            missing.append(zh)
            missing_en.append(en)

    return QuorumResult(
        participation_area=participation_area,
        participation_count=participation_count,
        agree_area=agree_area_ratio,
        agree_count=agree_count_ratio,
        participation_met=participation_met,
        agreement_met=agreement_met,
        met=participation_met and agreement_met,
        missing=tuple(missing),
        missing_en=tuple(missing_en),
        households=len(ballots),
        voted=len(voted),
        agreed=len(agreed),
        total_area=total_area,
        voted_area=voted_area,
        agree_area_m2=agree_area,
        owners=len(groups),
        owners_voted=owners_voted,
        owners_agreed=owners_agreed,
        conflicts=conflicts,
    )


def _ratio(part: Decimal | int, whole: Decimal | int) -> Fraction:
    return Fraction(part) / Fraction(whole) if whole else Fraction(0)


def _participation_gap(
    households: int,
    voted: int,
    total_area: Fraction,
    voted_area: Fraction,
    open_areas: list[Fraction],
    p: Fraction,
) -> tuple[str, str]:
    area_short = max(Fraction(0), p * total_area - voted_area)
    k = _fewest(
        open_areas,
        lambda k, added: Fraction(voted + k, households) >= p and added >= area_short,
    )
    # Everyone voting makes 100 %, so participation is always reachable: k is never None.
    assert k is not None  # nosec B101  # an invariant (see above), not input checking
    zh, en = f"参与表决还需 {k} 户", f"Participation needs {k} more household{_s(k)}"
    if area_short:
        zh += f"（专有面积还需 {_m2(area_short)} m²）"
        en += f" ({_m2(area_short)} m² more exclusive area)"
    return zh, en


def _agreement_gap(
    voted: int,
    agreed: int,
    voted_area: Fraction,
    agree_area: Fraction,
    open_areas: list[Fraction],
    q: Fraction,
) -> tuple[str, str]:
    # Each added household both participates and agrees, so it raises both sides of the ratio.
    k = _fewest(
        open_areas,
        lambda k, added: (
            Fraction(agreed + k, voted + k) >= q
            and (agree_area + added) / (voted_area + added) >= q
        ),
    )
    if k is None:
        n = len(open_areas)
        if n == 0:
            return (
                f"同意比例未达到 {ratio_str(q)}，且所有住户均已表决",
                f"Agreement is below {ratio_str(q)} and every household has voted",
            )
        return (
            f"同意比例未达到 {ratio_str(q)}：未表决的 {n} 户全部同意也无法达到",
            f"Agreement cannot reach {ratio_str(q)} even if all {n} household{_s(n)}"
            " yet to vote agree",
        )
    zh, en = f"同意还需 {k} 户", f"Agreement needs {k} more agreeing household{_s(k)}"
    # Area a new agreeing household must bring: (A + x) / (V + x) >= q  <=>  x >= (qV - A) / (1 - q).
    area_short = (q * voted_area - agree_area) / (1 - q) if q < 1 else Fraction(0)
    if area_short > 0:
        zh += f"（同意面积还需 {_m2(area_short)} m²）"
        en += f" ({_m2(area_short)} m² more agreeing area)"
    return zh, en


class _Gaps:
    """What is missing when some person owns several flats.

    A flat yet to vote adds its area, and adds a person only when its owner has not taken part
    yet. The fewest flats: first the persons the headcount needs, each with their largest open
    flat, then the largest remaining flats for the area.
    """

    def __init__(self, ballots: Sequence[Ballot], groups: list[list[int]], persons: list) -> None:
        self.ballots, self.groups, self.persons = ballots, groups, persons
        self.owners_voted = sum(1 for c in persons if c is not None)
        self.owners_agreed = persons.count(AGREE)

    def _open(self, flats: list[int]) -> list[Fraction]:
        return sorted(
            (Fraction(self.ballots[i].area) for i in flats if self.ballots[i].choice is None),
            reverse=True,
        )

    def _plan(self, persons_needed: int, eligible: list[int], enough) -> tuple[int, int] | None:
        """(flats, persons) of the fewest open flats that make `enough(added_area)` true."""
        reps, rest = [], []
        for g, c in zip(self.groups, self.persons, strict=True):
            if g[0] not in eligible:
                continue
            areas = self._open(g)
            if c is None and areas:
                reps.append(areas[0])
                rest.extend(areas[1:])
            else:
                rest.extend(areas)
        reps.sort(reverse=True)
        if persons_needed > len(reps):
            return None
        added = sum(reps[:persons_needed], Fraction(0))
        pool = sorted(rest + reps[persons_needed:], reverse=True)
        k = persons_needed
        for area in [None, *pool]:
            if area is not None:
                added += area
                k += 1
            if enough(added):
                return k, persons_needed
        return None

    def participation(self, total_area: Fraction, voted_area: Fraction, p: Fraction):
        owners = len(self.groups)
        n = 0
        while Fraction(self.owners_voted + n, owners) < p:
            n += 1
        area_short = max(Fraction(0), p * total_area - voted_area)
        plan = self._plan(n, [g[0] for g in self.groups], lambda added: added >= area_short)
        assert plan is not None  # nosec B101  # unreachable: everyone voting makes 100 %
        k, n = plan
        zh, en = f"参与表决还需 {k} 户", f"Participation needs {k} more household{_s(k)}"
        if n:
            zh += f"（其中 {n} 位尚未表决的业主"
            en += f" ({n} owner{_s(n)} yet to vote"
        else:
            zh += "（"
            en += " ("
        if area_short:
            zh += f"{'，' if n else ''}专有面积还需 {_m2(area_short)} m²"
            en += f"{', ' if n else ''}{_m2(area_short)} m² more exclusive area"
        zh, en = zh + "）", en + ")"
        return zh.replace("（）", ""), en.replace(" ()", "")

    def agreement(self, voted_area: Fraction, agree_area: Fraction, q: Fraction):
        # Only flats of persons yet to vote, or who agree, can add agreement without a conflict.
        eligible = [
            g[0] for g, c in zip(self.groups, self.persons, strict=True) if c in (None, AGREE)
        ]
        new_persons = sum(1 for g, c in zip(self.groups, self.persons, strict=True) if c is None)
        m = 0
        while m <= new_persons and Fraction(self.owners_agreed + m, self.owners_voted + m) < q:
            m += 1
        plan = None
        if m <= new_persons:
            plan = self._plan(
                m, eligible, lambda added: (agree_area + added) / (voted_area + added) >= q
            )
        if plan is None:
            return (
                f"同意比例未达到 {ratio_str(q)}：尚未表决的住户全部同意也无法达到",
                f"Agreement cannot reach {ratio_str(q)} even if every household yet to vote agrees",
            )
        k, _ = plan
        return (
            f"同意还需 {k} 户",
            f"Agreement needs {k} more agreeing household{_s(k)}",
        )


def _fewest(open_areas: list[Fraction], enough: Callable[[int, Fraction], bool]) -> int | None:
    """Fewest households yet to vote (largest areas first) that make `enough` true, if any.

    Taking the largest areas first is optimal: every ratio here grows with the added area.
    """
    added = Fraction(0)
    for k, area in enumerate(open_areas, start=1):
        added += area
        if enough(k, added):
            return k
    return None


def _m2(area: Fraction) -> str:
    """Area still needed, rounded up to 0.01 m²: rounding down would understate the gap."""
    hundredths = -(-area.numerator * 100 // area.denominator)
    text = f"{Decimal(hundredths).scaleb(-2):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def format_ratio(f: Fraction) -> str:
    """Percentage with two decimals, rounded half-up from the exact fraction: 2/3 → "66.67%"."""
    hundredths_of_percent = f * 10_000
    sign = "-" if hundredths_of_percent < 0 else ""
    n = int(abs(hundredths_of_percent) + Fraction(1, 2))  # floor(x + 1/2): half-up
    return f"{sign}{n // 100}.{n % 100:02d}%"


def ratio_str(f: Fraction) -> str:
    """The exact fraction, always as "numerator/denominator": 2/3 → "2/3", 1 → "1/1"."""
    f = Fraction(f)
    return f"{f.numerator}/{f.denominator}"
