"""`python cli.py serve`: uvicorn runs the app in ``workers`` processes; each loads the
model, OCR and font index once at start-up (lifespan) and answers requests concurrently."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

from webapp.config import ServeConfig


def serve(cfg: ServeConfig) -> int:
    """Run until interrupted. Exit status 1 on a bad setting, else 0."""
    import uvicorn

    if cfg.workers < 1 or cfg.queue < 0:
        print("error: --workers must be at least 1 and --queue at least 0", file=sys.stderr)
        return 1
    if cfg.save_uploads:  # the resolved config beside the outputs it produces
        folder = Path(cfg.save_uploads)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "serve-config.json").write_text(json.dumps(asdict(cfg), indent=2) + "\n")
        except OSError as e:
            print(f"error: cannot write to --save-uploads {folder}: {e.strerror}", file=sys.stderr)
            return 1
        print(f"note: uploads and their predictions are kept in {folder}", file=sys.stderr)
    cfg.to_env()  # every worker process reads it in webapp.app:app_from_env
    print(f"serving on http://{cfg.host}:{cfg.port}/ with {cfg.workers} worker(s); loading the model "
          "and OCR first (Ctrl-C to stop)", file=sys.stderr, flush=True)
    uvicorn.run("webapp.app:app_from_env", factory=True, host=cfg.host, port=cfg.port,
                workers=cfg.workers, log_level="info", timeout_graceful_shutdown=15,
                server_header=False, proxy_headers=True)
    return 0
