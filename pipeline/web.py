"""A stateless WSGI app: an upload page and POST /identify -> the JSON object of
shared/DESIGN.md. ``python cli.py serve`` runs it with wsgiref; any WSGI server
(several workers) can run ``pipeline.web:app`` the same way.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable

from pipeline.output import error_dict, ranking_to_dict

MAX_UPLOAD = 20 * 1024 * 1024
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>freefontfinder</title>
<style>body{font-family:sans-serif;max-width:720px;margin:2em auto}td,th{padding:2px 10px;text-align:left}
#drop{border:2px dashed #888;padding:2em;text-align:center}</style></head><body>
<h1>Which font is this?</h1><div id="drop"><input type="file" id="f" accept="image/*"></div>
<p id="read"></p><table id="out"></table>
<script>
document.getElementById('f').onchange = async (e) => {
  const file = e.target.files[0]; if (!file) return;
  document.getElementById('read').textContent = 'reading…';
  const r = await fetch('identify?name=' + encodeURIComponent(file.name), {method: 'POST', body: file});
  const j = await r.json();
  document.getElementById('read').textContent = j.error ? j.error : 'Read: ' + j.text;
  document.getElementById('out').innerHTML = '<tr><th>#</th><th>font</th><th>score</th><th>weight</th></tr>' +
    j.fonts.map((f, i) => `<tr><td>${i + 1}</td><td>${f.name}</td><td>${f.score.toFixed(3)}</td><td>${f.weight}</td></tr>`).join('');
};
</script></body></html>"""

Start = Callable[[str, list[tuple[str, str]]], object]


def app(environ: dict, start_response: Start) -> Iterable[bytes]:
    path, method = environ.get("PATH_INFO", "/"), environ.get("REQUEST_METHOD", "GET")
    if path == "/" and method == "GET":
        return _send(start_response, "200 OK", PAGE.encode(), "text/html; charset=utf-8")
    if path == "/identify" and method == "POST":
        return _send(start_response, *_identify(environ))
    return _send(start_response, "404 Not Found", b'{"error": "not found"}', "application/json")


def _identify(environ: dict) -> tuple[str, bytes, str]:
    from pipeline.rank import rank
    from segmentation import ImageError

    name = environ.get("QUERY_STRING", "").partition("name=")[2] or "upload"
    size = int(environ.get("CONTENT_LENGTH") or 0)
    if size <= 0 or size > MAX_UPLOAD:
        body = error_dict(name, f"upload an image of 1 byte to {MAX_UPLOAD // 2**20} MB")
        return "400 Bad Request", json.dumps(body).encode(), "application/json"
    data = environ["wsgi.input"].read(size)
    try:
        body, status = ranking_to_dict(name, rank(data, model=os.environ.get("FREEFONTFINDER_MODEL"))), "200 OK"
    except ImageError as e:
        body, status = error_dict(name, str(e)), "400 Bad Request"
    return status, json.dumps(body).encode(), "application/json"


def _send(start_response: Start, status: str, body: bytes, ctype: str) -> list[bytes]:
    start_response(status, [("Content-Type", ctype), ("Content-Length", str(len(body)))])
    return [body]


def serve(host: str, port: int) -> int:
    from wsgiref.simple_server import make_server

    with make_server(host, port, app) as httpd:
        print(f"serving on http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
        httpd.serve_forever()
    return 0
