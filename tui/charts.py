"""Small bar charts of a figure per month, drawn in block characters one column a month.

Pure functions from numbers to lines of text, so the stats screen can draw as many months
as its width allows and the tests can check every row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text

_EIGHTHS = " ▁▂▃▄▅▆▇█"
_INITIALS = "JFMAMJJASOND"
CHART_HEIGHT = 4


def bar_rows(values: Sequence[float | None], *, height: int = CHART_HEIGHT) -> list[str]:
    """One column a value, in eighth blocks, top row first.

    The tallest value fills the chart; any value above zero shows at least a sliver, so a
    quiet month is never mistaken for an empty one.
    """
    peak = max((v for v in values if v is not None), default=0.0)
    levels = [
        0 if value is None or value <= 0 or peak <= 0 else max(1, round(value / peak * height * 8))
        for value in values
    ]
    return [
        "".join(_EIGHTHS[min(8, max(0, level - row * 8))] for level in levels)
        for row in range(height - 1, -1, -1)
    ]


def month_axis(months: Sequence[str]) -> tuple[str, str]:
    """Two lines under the bars: each month's initial (``JFMAMJJASOND``), and the year
    from each January and from the first month: ``2024`` where there is room before the
    next label, ``'24`` where there is a little less, nothing where there is none."""
    initials = "".join(_INITIALS[int(month[5:7]) - 1] for month in months)
    starts = [c for c, month in enumerate(months) if c == 0 or month.endswith("-01")]
    years = [" "] * len(months)
    for index, column in enumerate(starts):
        room = (starts[index + 1] - 1 if index + 1 < len(starts) else len(months)) - column
        year = months[column][:4]
        label = year if room >= 4 else "'" + year[2:] if room >= 3 else ""
        years[column : column + len(label)] = label
    return initials, "".join(years).rstrip()


def month_chart(
    title: str,
    months: Sequence[str],
    values: Sequence[float | None],
    shown: Callable[[float], str],
    *,
    height: int = CHART_HEIGHT,
) -> Text:
    """A titled chart of one figure per month: bars, then the month and year axis."""
    peak = max((v for v in values if v is not None and v > 0), default=None)
    chart = Text(end="")
    chart.append(title, style="bold")
    chart.append(f"  peak {shown(peak)}" if peak else "  nothing to show yet", style="dim")
    for line in bar_rows(values, height=height):
        chart.append("\n" + line)
    initials, years = month_axis(months)
    chart.append("\n" + initials, style="dim")
    chart.append("\n" + years, style="dim")
    return chart
