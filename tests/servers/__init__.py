"""Loopback servers that speak CRM protocols, for tests and benchmarks."""
