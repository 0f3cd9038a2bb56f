"""Benchmarks of the service against a plaintext baseline; see docs/benchmarks.md."""
