"""The embedded backend: a networkx graph in memory, persisted to one file (``store``), and
the analyses walked over it in Python (``engine``)."""
