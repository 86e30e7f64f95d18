"""memtray keeps an AI coding agent's memory files identical across laptops, encrypted end to end."""

__version__ = "0.1.0"
