"""Segments of votes and their flags (docs/statistics.md), on hand-made counts."""

from datetime import datetime, timedelta

from debate.core.segments import BY_HOUR, BY_SITE, SegmentCounts, SegmentRule, find_segments

START = datetime(2026, 11, 30, 0)
OPTIONS = ("a", "b", "c", "d")


def counts_of(votes: list[tuple[str, int, str]]) -> SegmentCounts:
    """Counts from (site, hour index, closing answer) votes, as the store groups them."""
    counts = SegmentCounts()
    for site, hour_index, option in votes:
        hour = START + timedelta(hours=hour_index)
        for kind, value in ((BY_SITE, site), (BY_HOUR, hour.isoformat(timespec="minutes"))):
            counts.votes[kind, value, hour] = counts.votes.get((kind, value, hour), 0) + 1
            counts.answers[kind, value, option] = counts.answers.get((kind, value, option), 0) + 1
    return counts


def normal_spread() -> list[tuple[str, int, str]]:
    """Three sites over twelve hours, about four votes an hour, answers evenly spread."""
    sites = ("http://localhost", "https://blog.example.org", "https://news.example.com")
    return [(sites[i % 3], i % 12, OPTIONS[i % 4]) for i in range(48)]


def test_a_normal_spread_is_not_flagged():
    segments = find_segments(counts_of(normal_spread()), SegmentRule())
    assert segments.flagged == 0
    assert [s.votes for s in segments.by_site] == [16, 16, 16]
    assert len(segments.by_hour) == 12 and segments.median_hour == 4


def test_a_burst_from_one_site_is_flagged_one_sided_and_fast():
    burst = [("https://burst.example", 12, "d")] * 40
    segments = find_segments(counts_of(normal_spread() + burst), SegmentRule())
    by_site = {s.value: s for s in segments.by_site}
    flagged = by_site["https://burst.example"]
    assert flagged.one_sided and flagged.fast and flagged.flagged
    assert (flagged.votes, flagged.peak, flagged.leading) == (40, 40, "d")
    assert (flagged.share.count, flagged.share.n) == (40, 40)
    assert (flagged.rest.count, flagged.rest.n) == (12, 48)
    assert flagged.difference == 75.0
    assert not any(s.flagged for value, s in by_site.items() if value != flagged.value)
    [hour] = [s for s in segments.by_hour if s.flagged]
    assert hour.peak_hour == START + timedelta(hours=12) and hour.fast and hour.one_sided
    assert hour.hour_after_peak == START + timedelta(hours=13)


def test_the_thresholds_are_settings():
    burst = [("https://burst.example", 12, "d")] * 40
    lenient = SegmentRule(one_sided_points=80, burst_factor=20)
    assert find_segments(counts_of(normal_spread() + burst), lenient).flagged == 0
    # A small burst stays under the minimum votes of a fast hour.
    small = [("https://burst.example", 12, "d")] * 5
    assert not any(
        s.fast for s in find_segments(counts_of(normal_spread() + small), SegmentRule()).by_site
    )


def test_a_segment_below_the_minimum_group_is_never_one_sided():
    few = [("https://few.example", 3, "d")] * 9
    segments = find_segments(counts_of(normal_spread() + few), SegmentRule(min_n=10))
    [segment] = [s for s in segments.by_site if s.value == "https://few.example"]
    assert segment.difference > 25 and not segment.one_sided


def test_a_lone_segment_has_no_difference_to_show():
    """Every answer came from one site: there is no elsewhere to differ from."""
    segments = find_segments(counts_of([("https://only.example", 0, "d")] * 30), SegmentRule())
    [segment] = segments.by_site
    assert (segment.share.n, segment.rest.n) == (30, 0)
    assert segment.difference is None and not segment.one_sided


def test_the_dashboard_lists_every_flagged_hour_and_only_the_busiest_others():
    """A month of votes is 720 hours: every one is judged, only a few are listed."""
    quiet = [("http://localhost", i, OPTIONS[i % 4]) for i in range(100)]
    busier = [("http://localhost", i, OPTIONS[i % 4]) for i in (20, 40, 60)]
    burst = [("https://burst.example", 80, "d")] * 40
    segments = find_segments(counts_of(quiet + busier + burst), SegmentRule(hours_shown=3))
    listed = [s.peak_hour for s in segments.hours_listed]
    assert listed == [START + timedelta(hours=h) for h in (20, 40, 80)], "oldest first"
    assert len(segments.by_hour) == 100 and sum(s.flagged for s in segments.by_hour) == 1
    assert segments.hours_unlisted == (97, 2)
    flagged_quietly = SegmentRule(hours_shown=0)
    assert [
        s.peak_hour for s in find_segments(counts_of(quiet + burst), flagged_quietly).hours_listed
    ] == [START + timedelta(hours=80)], "a flagged hour is always listed"
