"""Benchmarks: each prints `<name> <value> <target> PASS|FAIL` lines and exits 1 on a failure."""
