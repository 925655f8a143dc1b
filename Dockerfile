# chatcore: one image for API replicas (`chatcore serve`) and workers (`chatcore worker`).
# The build stage has the compilers some wheels may need; the final stage has only
# Python, the virtual environment and the app, and runs as an unprivileged user.
FROM python:3.11-slim AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN python -m venv /opt/chatcore \
    && /opt/chatcore/bin/pip install --no-cache-dir --upgrade pip \
    && /opt/chatcore/bin/pip install --no-cache-dir .

FROM python:3.11-slim
RUN useradd --system --create-home --uid 10001 chatcore
COPY --from=build /opt/chatcore /opt/chatcore
ENV PATH=/opt/chatcore/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    CHATCORE_DATA_DIR=/home/chatcore/data
USER chatcore
WORKDIR /home/chatcore
EXPOSE 8000
CMD ["chatcore", "serve", "--host", "0.0.0.0", "--port", "8000"]
