# syntax=docker/dockerfile:1.7
# fitlake's images, one Dockerfile, four targets:
#   runtime (default)  the API, the stream consumer, the batch job and the report: `fitlake <command>`
#   spark              runtime + Java 17, PySpark 4.2.0 and Delta's jars, for `--engine spark` and spark-submit
#   notebooks          JupyterLab with the TypeScript kernel on notebooks/ (dev dependencies included)
# Build: docker build -t fitlake .    docker build --target spark -t fitlake-spark .
# The lakehouse (and its mlruns) lives on the /data volume; configuration and keys come from the
# environment at run time (FITLAKE_*), never from the image.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# production dependencies only, exactly as the lockfile records them (native bindings are prebuilt)
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="fitlake" \
      org.opencontainers.image.description="Lakehouse, feature store and model service for gyms" \
      org.opencontainers.image.licenses="MIT"
ENV NODE_ENV=production \
    FITLAKE_LAKEHOUSE=/data/lakehouse \
    FITLAKE_HOST=0.0.0.0 \
    FITLAKE_LOG_FORMAT=json
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY core ./core
COPY pipelines ./pipelines
COPY features ./features
COPY training ./training
COPY serving ./serving
COPY cli ./cli
RUN mkdir -p /data/lakehouse /data/reports && chown -R node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/fitlake.js"]
CMD ["serve"]

FROM runtime AS spark
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless python3 python3-venv procps \
 && rm -rf /var/lib/apt/lists/*
# the Spark engine runs <repo>/.venv/bin/python (pipelines/engine/spark/spark_engine.ts)
RUN python3 -m venv /app/.venv \
 && /app/.venv/bin/pip install --no-cache-dir pyspark==4.2.0 sqlglot==30.30.0 pyarrow==25.0.1 \
 && chown -R node:node /app/.venv
USER node
# Delta's jars into the node user's Ivy cache now, not at the first job
RUN /app/.venv/bin/python -c "from pyspark.sql import SparkSession; SparkSession.builder.master('local[1]').config('spark.jars.packages', 'io.delta:delta-spark_2.13:4.4.0').config('spark.ui.enabled', 'false').getOrCreate().stop()"
ENV PATH=/app/.venv/bin:${PATH} \
    FITLAKE_ENGINE=spark

FROM ${NODE_IMAGE} AS notebooks
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv \
 && rm -rf /var/lib/apt/lists/*
ENV FITLAKE_LAKEHOUSE=/data/lakehouse
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund && npm cache clean --force
COPY . .
RUN bash scripts/install_jupyter.sh --lab && mkdir -p /data && chown -R node:node /app/notebooks /data
USER node
EXPOSE 8888
# JUPYTER_TOKEN (from the environment) is the login token
CMD ["bash", "scripts/notebooks.sh", "lab", "--no-browser", "--ServerApp.ip=0.0.0.0", "--port=8888"]

FROM runtime
