"""The geometry of a small per-skill history chart, drawn as SVG by the template.

The chart is a picture for sighted readers; the same history is always given as a table, which
is what a screen reader reads (the SVG carries a one-line summary as its accessible name)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from server.common.vocab import CefrLevel
from server.progress.assessments import LEVELS, level_rank
from server.progress.models import ProgressAssessment

WIDTH = 320
HEIGHT = 150
LEFT = 40  # room for level labels
RIGHT = 12
TOP = 12
BOTTOM = 26  # room for dates


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    level: CefrLevel
    day: date


@dataclass(frozen=True)
class ChartTick:
    y: float
    level: CefrLevel


@dataclass(frozen=True)
class SkillChart:
    points: list[ChartPoint]
    ticks: list[ChartTick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM

    @property
    def path(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)

    @property
    def first(self) -> ChartPoint | None:
        return self.points[0] if self.points else None

    @property
    def last(self) -> ChartPoint | None:
        return self.points[-1] if self.points else None


def skill_chart(history: list[ProgressAssessment]) -> SkillChart:
    """Levels (one step of the scale above and below what was seen) against dates."""
    if not history:
        return SkillChart(points=[], ticks=[])
    ranks = [level_rank(a.level) for a in history]
    low, high = max(0, min(ranks) - 1), min(len(LEVELS) - 1, max(ranks) + 1)
    span_days = (history[-1].assessed_on - history[0].assessed_on).days

    def y_of(rank: int) -> float:
        usable = HEIGHT - BOTTOM - TOP
        return HEIGHT - BOTTOM - (rank - low) / max(1, high - low) * usable

    def x_of(day: date) -> float:
        usable = WIDTH - RIGHT - LEFT
        if span_days == 0:
            return LEFT + usable / 2
        return LEFT + (day - history[0].assessed_on).days / span_days * usable

    points = [
        ChartPoint(x_of(a.assessed_on), y_of(rank), a.level, a.assessed_on)
        for a, rank in zip(history, ranks, strict=True)
    ]
    ticks = [ChartTick(y_of(rank), LEVELS[rank]) for rank in range(low, high + 1)]
    return SkillChart(points=points, ticks=ticks)
