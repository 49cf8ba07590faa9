"""The Neo4j backend: the store over the Bolt driver (``store``), every Cypher statement of it
(``queries``: writes and reads; ``analysis_queries``: trees, regions, coverage facts), and the
engine that runs the analyses in the database (``engine``)."""
