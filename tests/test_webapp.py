"""The web app through Starlette's test client (in process, no OCR needed): every kind of
bad upload is a 4xx with one JSON sentence and the app still answers; font files and
specimens are found by catalog id only; the bounded pool refuses work when full.
The real server and browser: tests/test_webapp_server.py."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import threading
from pathlib import Path

import pytest
from PIL import Image
from starlette.testclient import TestClient

from pipeline import DEFAULT_MODEL, Identifier
from pipeline.config import VerifyConfig
from tests.bad_uploads import SAMPLE, bad_uploads
from webapp.app import create_app
from webapp.config import ServeConfig
from webapp.fonts import FontShelf
from webapp.pool import BoundedPool, QueueFullError
from webapp.service import Service, save_upload

FIX = Path(__file__).parent / "fixtures"
LIMIT_MB = 0.05  # 51,200 bytes: small, so the size tests stay fast
JSON_KEYS = {"image", "text", "fonts", "glyphs", "regions", "error"}


@pytest.fixture(scope="module")
def client():
    cfg = ServeConfig(max_upload_mb=LIMIT_MB, queue=1)
    ident = Identifier(DEFAULT_MODEL, verify=VerifyConfig(enabled=False))  # real model; OCR loads lazily
    shelf = FontShelf.from_catalog(catalog=str(FIX / "catalog-tiny.txt"), cache=str(FIX / "fonts"))
    service = Service(cfg, ident, shelf, BoundedPool(cfg.queue))
    with TestClient(create_app(cfg, service), raise_server_exceptions=False) as c:
        yield c


def _still_answers(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("kind", list(bad_uploads()))
def test_bad_upload_is_a_4xx_json_sentence(client, kind):
    body, ctype, status, phrase = bad_uploads()[kind]
    for r in (client.post("/api/identify", content=body, headers={"Content-Type": ctype}),
              client.post("/api/identify", files={"file": (f"{kind}.png", body, ctype)})):
        assert r.status_code == status, (kind, r.text)
        j = r.json()
        assert set(j) >= JSON_KEYS and j["fonts"] == [] and phrase.lower() in j["error"].lower(), j
        assert j["error"].count(". ") == 0 and j["error"].endswith("."), "one sentence"
    _still_answers(client)


def test_too_large_refused_by_header_and_by_stream(client):
    big = SAMPLE.read_bytes() * 8  # ~250 KB > 51 KB
    r = client.post("/api/identify", content=big, headers={"Content-Type": "image/png"})
    assert r.status_code == 413 and "limit" in r.json()["error"]
    chunks = (big[i:i + 4096] for i in range(0, len(big), 4096))  # no Content-Length: chunked
    r = client.post("/api/identify", content=chunks, headers={"Content-Type": "image/png"})
    assert r.status_code == 413 and "limit" in r.json()["error"]
    r = client.post("/api/identify", files={"file": ("big.png", big, "image/png")})
    assert r.status_code == 413
    _still_answers(client)


def test_form_without_file_field_and_bad_length(client):
    r = client.post("/api/identify", data={"picture": "x"}, files={"other": ("a.png", b"x", "image/png")})
    assert r.status_code == 400 and "'file'" in r.json()["error"]
    r = client.post("/api/identify", content=b"abc", headers={"Content-Type": "image/png",
                                                            "Content-Length": "-5"})
    assert r.status_code == 400
    assert client.get("/api/identify").status_code == 405
    assert client.get("/nope").json() == {"error": "Not Found."}


def test_upload_name_is_never_a_path(client):
    body = bad_uploads()["truncated"][0]
    r = client.post("/api/identify", files={"file": ("../../etc/passwd", body, "image/png")})
    assert r.status_code == 400 and r.json()["image"] == "passwd"


def test_catalog_and_font_files_by_id_only(client):
    fonts = {f["family"]: f for f in client.get("/api/fonts").json()["fonts"]}
    assert set(fonts) == {"roboto", "libre-baskerville", "dancing-script", "lobster", "roboto-flex"}
    assert fonts["roboto"]["webfont"] and fonts["roboto"]["weights"] == [400, 700]
    r = client.get("/fonts/roboto/700/normal")
    assert r.status_code == 200 and r.headers["content-type"] == "font/woff2"
    assert r.content == (FIX / "fonts/roboto/static/roboto-latin-700-normal.woff2").read_bytes()
    r = client.get("/fonts/roboto-flex/650/normal")  # no static file: the variable one
    assert r.status_code == 200 and r.content[:4] == b"wOF2"
    r = client.get("/fonts/roboto/400/italic")
    assert r.content == (FIX / "fonts/roboto/static/roboto-latin-400-italic.woff2").read_bytes()
    for bad in ("/fonts/..%2F..%2Fetc/400/normal", "/fonts/roboto/400/oblique", "/fonts/comic-sans/400/normal",
                "/fonts/roboto/4000/normal", "/fonts/%2Fetc%2Fpasswd/400/normal", "/static/../cli.py"):
        r = client.get(bad)
        assert r.status_code == 404 and "error" in r.json(), bad


def test_specimen_png_draws_the_text(client):
    r = client.get("/api/specimen/lobster/400/normal.png", params={"text": "Fresh Bakery", "size": 40})
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    img = Image.open(io.BytesIO(r.content))
    alpha = img.getchannel("A")
    assert img.width > 3 * img.height and alpha.getextrema() == (0, 255)  # a line with ink
    assert client.get("/api/specimen/playfair-display/400/normal.png").status_code == 404  # not in this shelf
    assert client.get("/api/specimen/lobster/400/normal.png?size=big").status_code == 400


def test_pages_are_served_with_a_strict_policy(client):
    for path in ("/", "/catalog", "/static/app.js", "/static/style.css"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert "default-src 'none'" in r.headers["content-security-policy"]
    js = client.get("/static/app.js").text + client.get("/static/fonts.js").text
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js and "document.write" not in js


def test_pool_refuses_when_full_and_recovers():
    pool = BoundedPool(queue=1)
    gate = threading.Event()

    async def scenario():
        first = asyncio.ensure_future(pool.run(gate.wait, 5))
        second = asyncio.ensure_future(pool.run(lambda: "queued"))
        await asyncio.sleep(0.05)
        with pytest.raises(QueueFullError):
            await pool.run(lambda: "third")
        gate.set()
        assert await first is True and await second == "queued"
        assert pool.pending == 0
        return await pool.run(lambda: "again")

    assert asyncio.run(scenario()) == "again"
    pool.shutdown()


def test_queue_full_answers_503_with_retry_after(client):
    pool = client.app.state.service.pool
    capacity, pool.capacity = pool.capacity, 0  # every slot taken, as under load (real load: test_webapp_server)
    try:
        r = client.post("/api/identify", content=SAMPLE.read_bytes(), headers={"Content-Type": "image/png"})
    finally:
        pool.capacity = capacity
    assert r.status_code == 503 and int(r.headers["retry-after"]) > 0 and "busy" in r.json()["error"]
    _still_answers(client)


def test_uploads_refused_from_the_header_skip_the_queue(client):
    """Non-images and bombs are answered at once, even while every slot is taken; only a
    file that must be decoded to be judged (truncated) waits for its turn."""
    pool = client.app.state.service.pool
    capacity, pool.capacity = pool.capacity, 0
    try:
        codes = {kind: client.post("/api/identify", content=body, headers={"Content-Type": ctype}).status_code
                 for kind, (body, ctype, _, _) in bad_uploads().items()}
    finally:
        pool.capacity = capacity
    assert codes == {**{k: v[2] for k, v in bad_uploads().items()}, "truncated": 503}, codes


def test_save_uploads_uses_content_hash_names(tmp_path):
    data = SAMPLE.read_bytes()
    body = {"image": "../../evil.png", "fonts": []}
    path = save_upload(tmp_path / "kept", data, body)
    digest = hashlib.sha256(data).hexdigest()
    assert path == tmp_path / "kept" / f"{digest}.png" and path.read_bytes() == data
    assert json.loads((tmp_path / "kept" / f"{digest}.json").read_text()) == body
    assert sorted(p.name for p in (tmp_path / "kept").iterdir()) == [f"{digest}.json", f"{digest}.png"]
