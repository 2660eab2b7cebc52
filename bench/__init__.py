"""Benchmarks of Brubeck against its peers: ``python bench/hello.py``."""
