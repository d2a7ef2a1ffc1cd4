#!/usr/bin/env python3
"""Unit tests of the verdicts of scripts/chaos (bench/chaos.py) and bench/soak.sh (bench/soak.py):
each check must be able to fail. Run by ctest (chaos_soak_checks_test) and by
`python3 bench/chaos_checks_test.py`."""

import os
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chaos  # noqa: E402
import soak  # noqa: E402


def version(n, title, locale="en", route="r"):
    return {"version": str(n), "locale": locale, "displayName": title, "routeSegment": route,
            "properties": {"CmpGuid": "g", "Heading": title}}


class RedundantVersions(unittest.TestCase):
    def test_a_version_equal_to_the_previous_one_is_redundant(self):
        # The simulator lists versions newest first.
        items = [{"key": "k1", "versions": [version(3, "B"), version(2, "A"), version(1, "A")]},
                 {"key": "k2", "versions": [version(4, "C")]}]
        redundant, total = chaos.redundant_versions(items)
        self.assertEqual(redundant, [("k1", "2")])
        self.assertEqual(total, 4)

    def test_a_change_back_and_other_locales_are_not_redundant(self):
        items = [{"key": "k", "versions": [version(4, "A"), version(3, "B"), version(2, "A", locale="de"),
                                           version(1, "A")]}]
        self.assertEqual(chaos.redundant_versions(items)[0], [])

    def test_the_route_segment_counts_as_content(self):
        items = [{"key": "k", "versions": [version(2, "A", route="a-2"), version(1, "A", route="a")]}]
        self.assertEqual(chaos.redundant_versions(items)[0], [])


class InFlight(unittest.TestCase):
    def test_counts_writes_open_around_the_kill_capped(self):
        writes = [(900, 1010, "POST", "/c", 201), (980, 1100, "POST", "/c", 201), (1100, 1200, "PUT", "/c/k", 200),
                  (500, 600, "POST", "/c", 201)]
        self.assertEqual(chaos.in_flight_at(writes, 1000, 4), 2)  # the last two started after or ended before
        self.assertEqual(chaos.in_flight_at(writes, 1000, 1), 1)
        self.assertEqual(chaos.in_flight_at(writes, 5000, 4), 0)

    def test_log_times_with_and_without_milliseconds(self):
        self.assertEqual(chaos.parse_ms("2026-12-03T04:33:02Z") + 500, chaos.parse_ms("2026-12-03T04:33:02.5Z"))


class SpuriousDeletes(unittest.TestCase):
    def test_a_delete_of_an_item_whose_article_stayed_live_is_spurious(self):
        deletes = [(0, 1, "DELETE", "/_cms/version2/content/k1", 204), (0, 1, "DELETE", "/v1/content/k2", 204)]
        guid_of = {"k1": "g1", "k2": "g2"}
        self.assertEqual(chaos.spurious_deletes(deletes, guid_of, {"g1", "g2"}), [])
        self.assertEqual(chaos.spurious_deletes(deletes, guid_of, {"g1"}), [("/v1/content/k2", "g2")])
        self.assertEqual(len(chaos.spurious_deletes(deletes, {}, {"g1"})), 2)  # unknown item: spurious


class Pace(unittest.TestCase):
    def test_starts_at_half_a_second_then_follows_the_rate(self):
        pace = chaos.Pace(3.0)
        self.assertEqual(pace.upper(1000, 100), 0.5)
        pace.record(2.0, 100)  # 50 items a second
        self.assertAlmostEqual(pace.upper(1000, 100), 0.4)  # 10 items a life: 0.2 s, doubled
        self.assertEqual(pace.upper(10**6, 1), 3.0)  # capped
        self.assertEqual(pace.upper(0, 10), 0.05)  # floor


def rows(rss, fds):
    return [{"rss_kb": r, "fds": f} for r, f in zip(rss, fds)]


class SoakVerdicts(unittest.TestCase):
    def test_flat_passes(self):
        failures, figures = soak.judge(rows([100] * 4 + [200] * 12, [20] * 16), 0.05)
        self.assertEqual(failures, [])  # the first quarter is warm-up
        self.assertEqual(figures["rss_growth"], 0)

    def test_rss_growth_fails(self):
        failures, _ = soak.judge(rows([200] * 12 + [211] * 4, [20] * 16), 0.05)
        self.assertEqual(len(failures), 1)
        self.assertIn("RSS grew 5.5%", failures[0])

    def test_fd_growth_fails(self):
        failures, _ = soak.judge(rows([200] * 16, [20] * 12 + [23] * 4), 0.05)
        self.assertEqual(len(failures), 1)
        self.assertIn("open fds grew", failures[0])
        spike, _ = soak.judge(rows([200] * 16, [20] * 15 + [25]), 0.05)
        self.assertEqual(len(spike), 1)

    def test_too_few_samples_fail(self):
        self.assertEqual(len(soak.judge(rows([1] * 3, [1] * 3), 0.05)[0]), 1)


if __name__ == "__main__":
    unittest.main()
