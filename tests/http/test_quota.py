"""Daily quota ledger and run history, shared by threads and processes."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

from opencircuit_cli.http.quota import QuotaLedger, QuotaLevel
from tests.http.conftest import limits, utc


class Now:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def test_counts_per_provider_per_utc_day(tmp_path: Path) -> None:
    now = Now(utc(2025, 3, 1, 23, 59))
    with QuotaLedger(tmp_path / "ledger.sqlite", now=now) as ledger:
        assert ledger.record_call("mouser") == 1
        assert ledger.record_call("mouser") == 2
        ledger.record_call("digikey")
        assert ledger.used_today("mouser") == 2
        assert ledger.usage_today() == {"digikey": 1, "mouser": 2}
        now.moment = utc(2025, 3, 2, 0, 1)  # a new UTC day
        assert ledger.used_today("mouser") == 0
        assert ledger.check(limits(quota=10)).resets_at == utc(2025, 3, 3)


def test_levels_warn_at_80_percent_refuse_at_100(tmp_path: Path) -> None:
    with QuotaLedger(tmp_path / "ledger.sqlite") as ledger:
        lim = limits(quota=10)
        for _ in range(7):
            ledger.record_call("mouser")
        assert ledger.check(lim).level is QuotaLevel.OK
        ledger.record_call("mouser")
        state = ledger.check(lim)
        assert (state.level, state.used, state.limit) == (QuotaLevel.WARN, 8, 10)
        ledger.record_call("mouser")
        ledger.record_call("mouser")
        assert ledger.check(lim).level is QuotaLevel.REFUSE
        assert ledger.check(limits(quota=0)).level is QuotaLevel.OK  # 0 = unlimited
        assert ledger.check(limits(quota=None)).limit is None


def test_reserve_call_never_overshoots_across_threads(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    ledgers = [QuotaLedger(path) for _ in range(4)]  # separate connections, like processes
    granted: list[int] = []
    lock = threading.Lock()
    lim = limits(quota=25)

    def work(ledger: QuotaLedger) -> None:
        for _ in range(20):
            reservation = ledger.reserve_call(lim)
            if reservation.granted:
                with lock:
                    granted.append(reservation.state.used)
            else:
                assert reservation.state.level is QuotaLevel.REFUSE

    threads = [threading.Thread(target=work, args=(ledger,)) for ledger in ledgers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(granted) == list(range(1, 26))
    assert ledgers[0].used_today("mouser") == 25
    for ledger in ledgers:
        ledger.close()


def test_run_history_and_totals(tmp_path: Path) -> None:
    now = Now(utc(2025, 3, 1, 10, 0))
    with QuotaLedger(tmp_path / "ledger.sqlite", now=now) as ledger:
        first = ledger.record_run({"mouser": 3, "digikey": 1}, {"mouser": 1})
        now.moment = utc(2025, 3, 1, 11, 0)
        second = ledger.record_run({"mouser": 0}, {"mouser": 4, "nexar": 2})
        history = ledger.run_history(limit=10)
        assert [r.run_id for r in history] == [second, first]
        assert history[0].finished_at == utc(2025, 3, 1, 11, 0)
        assert history[1].hits == {"digikey": 1, "mouser": 3}
        assert history[1].misses == {"digikey": 0, "mouser": 1}
        assert history[1].hit_rate == 0.8 and history[0].hit_rate == 0.0
        assert len(ledger.run_history(limit=1)) == 1
        totals = ledger.run_totals()
        assert (totals.runs, totals.hits, totals.misses) == (2, 4, 7)


def test_ledger_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "new" / "ledger.sqlite"
    with QuotaLedger(path) as ledger:
        ledger.record_call("mouser")
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
