"""Distributor providers. Each is one module plus one line in `registry.BUILTIN_PROVIDERS`."""
