# The newsarchive crawler image: `newsarchive schedule` (crawl each source at its
# interval, then index) against the Elasticsearch given by NEWSARCHIVE_ES_URL.
# No JDK: in Docker, Elasticsearch runs in its own container (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NEWSARCHIVE_HOME=/data

# lxml and the other wheels are prebuilt for this platform; nothing to compile.
WORKDIR /app
COPY pyproject.toml README.md ./
COPY newsarchive ./newsarchive
COPY crawler ./crawler
COPY indexer ./indexer
COPY search_cli ./search_cli
COPY kibana ./kibana
COPY scheduler ./scheduler
COPY scrapy.cfg ./
# A plain install: the registry, the gazetteer and the Kibana bundle are package data.
RUN pip install . \
    && useradd --system --create-home --home-dir /home/newsarchive newsarchive \
    && mkdir -p /data \
    && chown newsarchive /data

USER newsarchive
VOLUME ["/data"]
# SIGTERM (docker stop) lets the current crawl write its records, then the scheduler exits.
STOPSIGNAL SIGTERM
ENTRYPOINT ["newsarchive"]
CMD ["schedule"]
