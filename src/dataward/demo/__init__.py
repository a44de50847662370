"""A synthetic BPO estate that exercises every package, and the oracle it is verified by."""
