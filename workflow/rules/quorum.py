"""Consent quorum for adding an elevator — 民法典第二百七十八条.

Adding an elevator is a matter that changes the use of common parts, so the owners of the unit
decide it together: at least 2/3 of the exclusive area and 2/3 of the owners must take part, and
at least 3/4 of the participating area and 3/4 of the participating owners must agree.
"以上" includes the bound (民法典第一千二百五十九条): exactly 2/3 passes.

Ratios are exact fractions: a float 2/3 compared with 4/6 households can fail by one ulp.
"""

from collections.abc import Callable, Sequence
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
    """One household's vote. `choice` None: not voted yet. Abstaining still participates."""

    area: Decimal
    choice: str | None

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

    participation_area = _ratio(voted_area, total_area)
    participation_count = _ratio(len(voted), len(ballots))
    agree_area_ratio = _ratio(agree_area, voted_area)
    agree_count_ratio = _ratio(len(agreed), len(voted))
    p, q = thresholds.participation, thresholds.agreement
    participation_met = bool(ballots) and participation_area >= p and participation_count >= p
    agreement_met = bool(voted) and agree_area_ratio >= q and agree_count_ratio >= q

    missing: list[str] = []
    missing_en: list[str] = []
    if not ballots:
        missing.append("尚未登记住户，无法表决")
        missing_en.append("No households are registered yet, so there is nothing to vote on")
    else:
        if not participation_met:
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
