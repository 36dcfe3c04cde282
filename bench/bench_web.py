"""Load test of the web app on loopback: a real `cli.py serve --workers N` under C concurrent
clients, bounded in requests and time, stopping by itself.

    .venv/bin/python bench/bench_web.py [--workers 2] [--requests 400] [--concurrency 8] [--max-seconds 120]
    .venv/bin/python bench/bench_web.py --soak 90     # in one process, no server: RSS every 10 identifications

The mix: 80 % identifications of examples/sample.png and two crops of it, 10 % bad uploads
(text, truncated, a header declaring 10 G pixels), 10 % catalog and font-file requests.
Reports status counts, p50/p95 latency per kind, and each worker's RSS after start-up,
after a warm-up and after the load; the pass condition is zero 5xx other than queue-full
503s. Writes bench/results/web-load.md. Loopback (127.0.0.1) only, by construction.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
OUT = ROOT / "bench" / "results" / "web-load.md"


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def bad_upload(n: int) -> tuple[bytes, str]:
    sample = (ROOT / "examples" / "sample.png").read_bytes()
    bomb = sample[:16] + (100_000).to_bytes(4, "big") * 2 + sample[24:]
    return [(b"plain text, not a picture", "text/plain"), (sample[: len(sample) // 3], "image/png"),
            (bomb, "image/png")][n % 3]


def request(url: str, body: bytes | None, ctype: str, timeout: float) -> tuple[int, float, bytes]:
    req = urllib.request.Request(url, data=body, headers={"Content-Type": ctype} if body is not None else {})
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            data, status = r.read(), r.status
    except urllib.error.HTTPError as e:
        data, status = e.read(), e.code
    except OSError as e:  # connection refused/reset or timeout: counted, never hidden
        data, status = str(e).encode(), 0
    return status, time.perf_counter() - t, data


def memory_mb(pid: int) -> dict[str, float]:
    """RSS, PSS (shared pages split among the processes mapping them) and private memory
    (what the process alone holds: the cost of one more worker), from smaps_rollup."""
    kb = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, _, rest = line.partition(":")
        kb[key] = int(rest.split()[0])
    return {"rss": kb["Rss"] / 1024, "pss": kb["Pss"] / 1024,
            "private": (kb["Private_Clean"] + kb["Private_Dirty"]) / 1024}


def worker_pids(server_pid: int, workers: int) -> list[int]:
    """uvicorn's worker processes: with --workers 1 the server itself, else its spawned children."""
    if workers == 1:
        return [server_pid]
    kids = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    pids = [int(k) for k in kids if "resource_tracker" not in Path(f"/proc/{k}/cmdline").read_text()]
    return sorted(pids)


def start_server(workers: int, queue: int) -> tuple[subprocess.Popen, str, dict]:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port = s.getsockname()[1]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "serve", "--host", HOST, "--port", str(port),
                             "--workers", str(workers), "--queue", str(queue)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"serve exited with {proc.returncode}")
        status, _, body = request(url + "/healthz", None, "", 2)
        if status == 200:
            return proc, url, json.loads(body)
        time.sleep(0.5)
    proc.kill()
    raise SystemExit("serve did not start within 240 s")


def run_load(url: str, n: int, concurrency: int, max_seconds: float) -> tuple[list[dict], float]:
    """Up to ``n`` requests from ``concurrency`` threads; no new request after ``max_seconds``."""
    cycle = ["identify"] * 8 + ["bad upload", "fonts"]
    sample = (ROOT / "examples" / "sample.png").read_bytes()
    img = Image.open(io.BytesIO(sample)).convert("RGB")
    w, h = img.size
    images = [sample, _png(img.crop((0, 0, int(w * 0.6), h))), _png(img.crop((int(w * 0.4), 0, w, h)))]
    results: list[dict] = []
    lock, counter = threading.Lock(), iter(range(n))
    t0 = time.monotonic()

    def client() -> None:
        while time.monotonic() - t0 < max_seconds:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            kind = cycle[i % len(cycle)]
            if kind == "identify":
                status, dt, data = request(url + "/api/identify", images[i % 3], "image/png", 180)
            elif kind == "bad upload":
                body, ctype = bad_upload(i)
                status, dt, data = request(url + "/api/identify", body, ctype, 180)
            else:
                path = "/api/fonts" if i % 20 < 10 else "/fonts/roboto/400/normal"
                status, dt, data = request(url + path, None, "", 180)
            busy = status == 503 and b"busy" in data
            with lock:
                results.append({"kind": kind, "status": status, "seconds": dt, "queue_full": busy})

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.monotonic() - t0


def report(args: argparse.Namespace, results: list[dict], wall: float, rss: dict[str, list[dict]],
           pids: list[int], load: tuple[float, float], health: dict) -> str:
    bad5xx = [r for r in results if r["status"] >= 500 and not r["queue_full"] or r["status"] == 0]
    full = sum(r["queue_full"] for r in results)
    lines = ["# Web app load test (loopback)", "",
             f"`python bench/bench_web.py --workers {args.workers} --requests {args.requests} "
             f"--concurrency {args.concurrency} --max-seconds {args.max_seconds:g} --queue {args.queue}`", "",
             f"Machine: {os.cpu_count()} CPU cores ({platform.machine()}), shared with other work "
             f"(load average {load[0]:.1f} before, {load[1]:.1f} after); no GPU. Server: `cli.py serve "
             f"--workers {args.workers} --queue {args.queue}`, networks on {health.get('engine', '?')}, "
             f"render-and-compare {'on' if health.get('verifies') else 'off (no font files)'}.", "",
             f"**{len(results)} requests in {wall:.0f} s** ({len(results) / wall:.2f}/s; the run stops at "
             f"{args.requests} requests or {args.max_seconds:g} s). 5xx other than queue-full 503: "
             f"**{len(bad5xx)}** ({'PASS' if not bad5xx else 'FAIL'}); queue-full 503s: {full}.", "",
             "| kind | requests | statuses | p50 s | p95 s | max s |", "|---|---|---|---|---|---|"]
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for r in results:
        by_kind[r["kind"]].append(r)
    for kind, rs in by_kind.items():
        ok = np.array([r["seconds"] for r in rs if not r["queue_full"]] or [np.nan])
        statuses = ", ".join(f"{s}: {c}" for s, c in sorted(Counter(r["status"] for r in rs).items()))
        lines.append(f"| {kind} | {len(rs)} | {statuses} | {np.nanpercentile(ok, 50):.2f} | "
                     f"{np.nanpercentile(ok, 95):.2f} | {np.nanmax(ok):.2f} |")
    lines += ["", "Memory of each worker process, MB: RSS / PSS / private (private = what one more worker "
              "costs; the rest is shared library pages):", "",
              "| worker pid | after start-up | after warm-up (3 identifications each) | after the load | "
              "RSS growth during load |", "|---|---|---|---|---|"]

    def cell(m: dict) -> str:
        return f"{m['rss']:.0f} / {m['pss']:.0f} / {m['private']:.0f}"

    for k, pid in enumerate(pids):
        a, b, c = (rss[stage][k] for stage in ("start", "warm", "after"))
        grow = c["rss"] - b["rss"]
        lines.append(f"| {pid} | {cell(a)} | {cell(b)} | {cell(c)} | {grow:+.0f} ({100 * grow / b['rss']:+.1f} %) |")
    lines += ["", "Latencies include queueing: with C clients and N workers, about C/N requests wait behind "
              "each running identification. Queue-full 503s are left out of the latency columns."]
    return "\n".join(lines) + "\n"


def soak(n: int, out: Path) -> int:
    """``n`` sequential identifications of the three images in this process (what one worker
    does, without the server): RSS every 10, to tell a leak from a warm-up. Writes ``out``."""
    from pipeline import DEFAULT_MODEL, Identifier

    sample = Image.open(ROOT / "examples" / "sample.png").convert("RGB")
    w, h = sample.size
    images = [np.asarray(im) for im in (sample, sample.crop((0, 0, int(w * 0.6), h)),
                                         sample.crop((int(w * 0.4), 0, w, h)))]
    ident = Identifier(DEFAULT_MODEL)
    rows, t0 = [(0, memory_mb(os.getpid())["rss"], 0.0)], time.monotonic()
    for i in range(n):
        ident.rank(images[i % 3])
        if (i + 1) % 10 == 0:
            rows.append((i + 1, memory_mb(os.getpid())["rss"], time.monotonic() - t0))
            print(f"{i + 1} identifications: RSS {rows[-1][1]:.0f} MB", file=sys.stderr)
    lines = ["# Web worker soak: RSS over sequential identifications (one process, no server)", "",
             f"`python bench/bench_web.py --soak {n}`; engine {ident.engine}, render-and-compare "
             f"{'on' if ident.verifies else 'off'}; {os.cpu_count()} shared CPU cores.", "",
             "Row 0: the glyph model loaded; the OCR networks load with the first identification.", "",
             "| identifications | RSS MB | seconds |", "|---|---|---|"]
    lines += [f"| {k} | {r:.0f} | {t:.0f} |" for k, r, t in rows]
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--queue", type=int, default=4, help="serve --queue (per worker)")
    p.add_argument("--requests", type=int, default=400)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--max-seconds", type=float, default=120.0)
    p.add_argument("--out", default=str(OUT))
    p.add_argument("--soak", type=int, default=0, help="instead: N identifications in this process, RSS every 10")
    args = p.parse_args()
    if args.soak:
        return soak(args.soak, OUT.with_name("web-soak.md"))
    load0 = os.getloadavg()[0]
    proc, url, health = start_server(args.workers, args.queue)
    try:
        time.sleep(2)
        pids = worker_pids(proc.pid, args.workers)
        rss = {"start": [memory_mb(p) for p in pids]}
        warm_body = (ROOT / "examples" / "sample.png").read_bytes()
        for _ in range(3 * args.workers):  # warm-up: every worker's first requests allocate
            request(url + "/api/identify", warm_body, "image/png", 180)
        rss["warm"] = [memory_mb(p) for p in pids]
        print(f"server up at {url}, workers {pids}; load: {args.requests} requests, "
              f"{args.concurrency} concurrent, at most {args.max_seconds:g} s", file=sys.stderr)
        results, wall = run_load(url, args.requests, args.concurrency, args.max_seconds)
        rss["after"] = [memory_mb(p) for p in pids]
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
    text = report(args, results, wall, rss, pids, (load0, os.getloadavg()[0]), health)
    Path(args.out).write_text(text)
    Path(args.out).with_suffix(".json").write_text(json.dumps({"results": results, "rss_mb": rss, "pids": pids}))
    print(text)
    return 0 if all(not (r["status"] >= 500 and not r["queue_full"]) and r["status"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
