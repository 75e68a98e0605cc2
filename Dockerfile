# One image for every service; the command picks the service.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY shared ./shared
COPY services ./services
RUN pip install --no-cache-dir .
ENV SRDI_ENV=prod SRDI_MIGRATE_ON_START=false
EXPOSE 8000
