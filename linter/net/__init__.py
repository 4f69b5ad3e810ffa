"""The transport and what it needs: address policy, identity, the on-disk cache, background threads.

One place owns the request policy for every provider.
"""
