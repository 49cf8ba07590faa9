"""Tupu's graph: the model (``graph.model``), the store interface (``graph.store``) and its two
backends (``graph.memory.store``, ``graph.neo4j.store``), opened by ``graph.factory.open_store``."""
