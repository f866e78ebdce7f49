"""The collector's policy for server processes (takeout.gcpolicy)."""

import asyncio
import gc
import logging

import pytest

from takeout import gcpolicy


@pytest.fixture(autouse=True)
def collector_restored():
    threshold, callbacks = gc.get_threshold(), list(gc.callbacks)
    yield
    gc.set_threshold(*threshold)
    gc.callbacks[:] = callbacks


def test_young_generation_threshold_is_set_and_the_older_ones_kept():
    _, older, oldest = gc.get_threshold()

    gcpolicy.apply(young_threshold=12345, slow_ms=0)

    assert gc.get_threshold() == (12345, older, oldest)


def test_objects_alive_at_start_up_are_kept_out_of_collections():
    long_lived = [object() for _ in range(10)]  # noqa: F841 - alive across apply()
    before = gc.get_freeze_count()

    gcpolicy.apply(young_threshold=700, slow_ms=0)

    assert gc.get_freeze_count() > before


def test_a_slow_collection_is_logged_with_its_generation(caplog):
    gcpolicy.apply(young_threshold=700, slow_ms=0.000001)

    with caplog.at_level(logging.WARNING, logger="takeout.gcpolicy"):
        gc.collect(1)

    assert "garbage collection of generation 1 took" in caplog.text


def test_applying_twice_keeps_one_slow_collection_log():
    gcpolicy.apply(young_threshold=700, slow_ms=50)
    gcpolicy.apply(young_threshold=700, slow_ms=50)

    logs = [cb for cb in gc.callbacks if isinstance(cb, gcpolicy.SlowCollectionLog)]
    assert len(logs) == 1


def test_zero_turns_the_slow_collection_log_off():
    gcpolicy.apply(young_threshold=700, slow_ms=0)

    assert not [cb for cb in gc.callbacks if isinstance(cb, gcpolicy.SlowCollectionLog)]


async def test_a_settled_burst_of_streams_is_frozen():
    policy = gcpolicy.SettledBurst(burst=3, quiet_s=0.05, thaw_s=3600)
    before = gc.get_freeze_count()
    opened_with_the_streams = [object() for _ in range(100)]  # noqa: F841 - alive across

    for _ in range(3):
        policy.stream_opened()
    await asyncio.sleep(0.3)

    assert gc.get_freeze_count() > before


async def test_fewer_streams_than_a_burst_freeze_nothing():
    policy = gcpolicy.SettledBurst(burst=3, quiet_s=0.05, thaw_s=3600)
    before = gc.get_freeze_count()

    for _ in range(2):
        policy.stream_opened()
    await asyncio.sleep(0.3)

    assert gc.get_freeze_count() == before


async def test_frozen_objects_go_back_to_the_collector_when_the_thaw_is_due(caplog):
    policy = gcpolicy.SettledBurst(burst=1, quiet_s=0.05, thaw_s=0)

    with caplog.at_level(logging.INFO, logger="takeout.gcpolicy"):
        policy.stream_opened()
        await asyncio.sleep(0.3)

    assert "handed the frozen objects back to the collector" in caplog.text
    assert "froze" in caplog.text
