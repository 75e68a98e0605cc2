"""Structured JSON logs (structlog). Personal data never goes into a log line."""
from __future__ import annotations

import logging

import structlog

_done = False


def configure(level: str = "INFO") -> None:
    global _done
    if _done:
        return
    _done = True
    logging.basicConfig(format="%(message)s", level=level)
    structlog.configure(
        processors=[structlog.contextvars.merge_contextvars, structlog.processors.add_log_level,
                    structlog.processors.TimeStamper(fmt="iso", utc=True),
                    structlog.processors.format_exc_info, structlog.processors.JSONRenderer(ensure_ascii=False)],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping()[level]),
        logger_factory=structlog.PrintLoggerFactory(), cache_logger_on_first_use=True)
