"""Providers: each one turns references into typed facts through the transport.

Providers never import each other or the user interface; the gatherer (``medperf_lint.gather``) runs them.
"""
