# leadgate: one image for the gateway and the worker (choose with the command).
FROM python:3.11-slim AS build
# A C compiler for the normalize path's optional extension (pipeline/sources/_speedups.c);
# only this stage has it: the final image gets the built module.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml setup.py uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project
COPY gateway ./gateway
COPY pipeline ./pipeline
COPY tenant_auth ./tenant_auth
RUN uv sync --locked --no-dev

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home /var/lib/leadgate leadgate \
    && mkdir -p /var/lib/leadgate && chown leadgate /var/lib/leadgate
WORKDIR /app
COPY --from=build /app /app
ENV PATH=/app/.venv/bin:$PATH \
    LEADGATE_DATA_DIR=/var/lib/leadgate \
    LEADGATE_HOST=0.0.0.0 \
    PYTHONUNBUFFERED=1
USER leadgate
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz').status==200 else 1)"
CMD ["leadgate", "serve"]
