import threading

import pytest

from opencircuit_cli.providers.inflight import InFlight, map_in_daemon_threads


def test_each_key_is_claimed_once_and_a_failure_is_forgotten():
    memo: InFlight[str, int] = InFlight()
    futures, mine = memo.claim(["a", "b"])
    assert mine == ["a", "b"]
    again, mine_again = memo.claim(["a", "c"])
    assert mine_again == ["c"] and again["a"] is futures["a"]
    futures["a"].set_result(1)
    memo.fail(["b", "c"], RuntimeError("down"))
    with pytest.raises(RuntimeError):
        futures["b"].result()
    third, mine_third = memo.claim(["a", "b"])
    assert mine_third == ["b"] and third["a"].result() == 1


def test_map_keeps_order_returns_errors_in_place_and_uses_daemon_threads():
    seen: list[bool] = []

    def work(x: int) -> int:
        seen.append(threading.current_thread().daemon)
        if x == 3:
            raise ValueError("three")
        return x * 10

    results = map_in_daemon_threads(work, [1, 2, 3, 4], workers=3)
    assert results[:2] == [10, 20] and results[3] == 40
    assert isinstance(results[2], ValueError)
    assert seen and all(seen)
    assert map_in_daemon_threads(work, [], workers=4) == []
