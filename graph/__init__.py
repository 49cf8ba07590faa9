"""Tupu's graph: the model (``graph.model``), the store interface (``graph.store``) and its two
backends (``graph.memory_store``, ``graph.neo4j_store``), opened by ``graph.factory.open_store``."""
