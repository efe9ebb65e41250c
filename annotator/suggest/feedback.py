"""Learning from the first decisions: each rule's accept rate demotes or hides it.

A rule is judged per label it suggests (the NER's DATE apart from its PERSON; a stance
rule's FAVOR apart from its AGAINST), so one bad label does not silence the rest. A rule needs MIN_DECISIONS decisions before it is judged. Then its suggestions' scores
are multiplied by its smoothed keep rate ((accepted + fixed + 1) / (decided + 2)), and a
rule kept less than HIDE_BELOW of the time is hidden: `suggest` stops storing its
proposals until people's decisions say otherwise (the counts include past decisions).
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_DECISIONS = 10
HIDE_BELOW = 0.15
DEMOTE_BELOW = 0.6


@dataclass(frozen=True)
class RuleStat:
    suggester: str
    rule: str
    label: str
    suggested: int
    accepted: int
    fixed: int
    rejected: int

    @property
    def decided(self) -> int:
        return self.accepted + self.fixed + self.rejected

    @property
    def keep_rate(self) -> float | None:
        return (self.accepted + self.fixed) / self.decided if self.decided else None

    @property
    def weight(self) -> float:
        if self.decided < MIN_DECISIONS:
            return 1.0
        return (self.accepted + self.fixed + 1) / (self.decided + 2)

    @property
    def verdict(self) -> str:
        if self.decided < MIN_DECISIONS:
            return f"learning ({self.decided}/{MIN_DECISIONS} decisions)"
        if self.keep_rate < HIDE_BELOW:
            return "hidden"
        if self.keep_rate < DEMOTE_BELOW:
            return "demoted"
        return "trusted"


def rule_stats(store) -> list[RuleStat]:
    return [RuleStat(r["suggester"], r["rule"] or "", r["label"] or "", r["suggested"], r["accepted"] or 0,
                     r["fixed"] or 0, r["rejected"] or 0) for r in store.rule_outcomes()]


def by_key(stats: list[RuleStat]) -> dict[tuple[str, str, str], RuleStat]:
    return {(s.suggester, s.rule, s.label): s for s in stats}


def apply_feedback(proposals: list, suggester: str, stats: dict[tuple[str, str, str], RuleStat]) -> list:
    """Drop proposals of hidden rules and scale the scores of the others by their rule's weight."""
    out = []
    for value, rule, score in proposals:
        stat = stats.get((suggester, rule, value.label))
        if stat is None:
            out.append((value, rule, score))
        elif stat.verdict != "hidden":
            out.append((value, rule, round(score * stat.weight, 4)))
    return out
