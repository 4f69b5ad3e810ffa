"""Paths and documents: what to read, read safely, as YAML with positions, and the suppressions in it.

The first stage of the flow (paths -> documents); trusted settings (config) live here too.
"""
