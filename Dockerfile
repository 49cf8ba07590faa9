# The Tupu API for production servers (docker-compose.yml runs it next to Neo4j 5.26).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph graph
COPY ingest ingest
COPY api api
COPY viz viz
COPY neo4j_local neo4j_local
RUN pip install --no-cache-dir .
ENV TUPU_BACKEND=neo4j TUPU_HOME=/data
EXPOSE 8000
CMD ["tupu", "serve", "--host", "0.0.0.0", "--port", "8000"]
