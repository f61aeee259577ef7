"""The real medpass app plus the stack's ceiling: routes that answer fixed bytes from memory.

    gunicorn -c gunicorn.conf.py bench.api_bare_wsgi:app

`GET /bench-bare/<name>` answers the bytes of the file `<name>.json` in the folder named by the environment
variable MEDPASS_BENCH_BARE_DIR (read once per worker, then served from memory) as application/fhir+json:
bench/api_bench.py saves there a real `$passport` and a real search response taken from the same server.
The route runs through the same Flask app, gunicorn and configuration as /fhir, but reads no database and
writes no AuditEvent. For benchmarks only; nothing in medpass imports it.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Response, abort

from medpass import create_app

app = create_app()
_BODIES: dict[str, bytes] = {}
_FOLDER = Path(os.environ.get("MEDPASS_BENCH_BARE_DIR", "."))


@app.get("/bench-bare/<name>")
def bare(name: str) -> Response:
    """The saved response `name`, from memory."""
    body = _BODIES.get(name)
    if body is None:
        if name not in ("passport", "search"):
            abort(404)
        body = _BODIES[name] = (_FOLDER / f"{name}.json").read_bytes()
    return Response(body, mimetype="application/fhir+json")
