"""Benchmarks that print figures: throughput, latency, fan-out and footprint (`python -m bench`)."""
