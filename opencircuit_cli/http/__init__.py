"""HTTP layer: cache session, rate limits, retries, circuit breaker, quota ledger.

Kept empty on purpose: importing `opencircuit_cli.http` must not import `requests` or
`requests_cache` (the `--help` startup budget). Import the submodule you need, e.g.
`from opencircuit_cli.http.client import HttpClient`.
"""
