"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app` (see README, "Serving").

Every value can be overridden by the environment variable named beside it.
"""

import os

bind = os.environ.get("MEDPASS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("MEDPASS_WORKERS", "2"))
threads = int(os.environ.get("MEDPASS_THREADS", "1"))
timeout = int(os.environ.get("MEDPASS_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Request line and headers are bounded; bodies are bounded by the app (MEDPASS_MAX_MESSAGE_BYTES, 413).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# Access log without query strings' secrets: medpass never takes tokens in URLs, only in the Authorization header,
# which this format does not log.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss'
errorlog = "-"
forwarded_allow_ips = os.environ.get("MEDPASS_FORWARDED_ALLOW_IPS", "127.0.0.1")
