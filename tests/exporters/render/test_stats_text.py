"""Figures across incidents as text: within 80 columns, user text escaped by the caller."""

from __future__ import annotations

from exporters.render.stats_text import render_text
from models.stats import compute_stats
from tests.models.stats_world import JAN, NOW, snap, world


def test_nothing_to_count_says_so() -> None:
    stats = compute_stats([], now=NOW)
    assert render_text(stats) == "No incidents yet.\n"
    assert render_text(compute_stats([], now=NOW, severity="SEV-1")).startswith("No incidents")


def test_text_fits_80_columns_and_shows_the_figures() -> None:
    owners = [("a-very-long-owner-name-that-will-not-fit-the-column", "open", 400)]
    many = [*world(), snap(5, start=JAN, end=3 * 1440 + 61, severity="SEV-5", actions=owners)]
    text = render_text(compute_stats(many, now=NOW), escape=lambda s: s.upper())
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[0] == "5 incidents (4 resolved, 1 ongoing) · all severities · all time"
    assert any(line.startswith("Duration") and "1h" in line for line in lines)
    assert any(line.startswith("SEV-5") for line in lines)
    assert any(line.startswith("2026-01 ") for line in lines)
    assert any(line.startswith("A-VERY-LONG-OWNER") and "400d" in line for line in lines)
    assert "resolved incidents only" in text.replace("\n", " ")
