"""Limits that several parts of the app share, so each has one value."""

# ¥10 trillion: far above any production budget or local spend, and inside a 64-bit integer column.
# Larger amounts are typos or probes.
MAX_YEN = 10 ** 13
# Free-text fields (descriptions, notes, messages).
LONG_TEXT = 20_000
