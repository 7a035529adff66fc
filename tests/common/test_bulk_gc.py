"""common.bulk.fewer_collections: garbage collection paced for a bulk job, and put back after."""

from __future__ import annotations

import gc
import threading
import unittest

from oila.common.bulk import BULK_GC_THRESHOLD, fewer_collections


class FewerCollectionsTests(unittest.TestCase):
    def setUp(self) -> None:
        self.threshold = gc.get_threshold()
        self.frozen = gc.get_freeze_count()

    def tearDown(self) -> None:
        gc.set_threshold(*self.threshold)

    def test_live_objects_are_frozen_and_everything_is_put_back(self) -> None:
        if self.frozen:
            self.skipTest("this process froze its objects already")
        with fewer_collections():
            self.assertGreater(gc.get_freeze_count(), 0)
            self.assertEqual(gc.get_threshold()[0], max(BULK_GC_THRESHOLD, self.threshold[0]))
            self.assertEqual(gc.get_threshold()[1:], self.threshold[1:])
            # Cycles made inside are still collected.
            cycle: list[object] = []
            cycle.append(cycle)
            alive = gc.get_count()
            del cycle
            self.assertGreater(gc.collect(), 0, alive)
        self.assertEqual(gc.get_freeze_count(), 0)
        self.assertEqual(gc.get_threshold(), self.threshold)

    def test_jobs_overlapping_in_threads_put_back_the_settings_once_both_end(self) -> None:
        first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
        seen: list[int] = []

        def first() -> None:
            with fewer_collections():
                first_in.set()
                second_in.wait(5)
            first_out.set()

        def second() -> None:
            first_in.wait(5)
            with fewer_collections():
                second_in.set()
                first_out.wait(5)
                seen.append(gc.get_threshold()[0])  # the first job has ended; this one runs on

        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        self.assertEqual(seen, [max(BULK_GC_THRESHOLD, self.threshold[0])])
        self.assertEqual(gc.get_threshold(), self.threshold)
        if not self.frozen:  # thawed by the last job out (a count above zero drifts as objects go)
            self.assertEqual(gc.get_freeze_count(), 0)

    def test_a_process_that_froze_its_objects_keeps_them_frozen(self) -> None:
        gc.freeze()
        try:
            # Frozen objects that lose their last reference still go, so the count can only fall
            # by a few; being thawed would take it to zero.
            frozen = gc.get_freeze_count()
            with fewer_collections():
                self.assertGreater(gc.get_freeze_count(), frozen // 2)
            self.assertGreater(gc.get_freeze_count(), frozen // 2)
            self.assertEqual(gc.get_threshold(), self.threshold)
        finally:
            if not self.frozen:
                gc.unfreeze()
