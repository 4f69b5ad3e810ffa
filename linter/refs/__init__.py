"""References: what a value in a document means to MedPerf, and what its URL's shape says offline.

Pure functions on text: no I/O, no network. Every pattern here runs in linear time.
"""
