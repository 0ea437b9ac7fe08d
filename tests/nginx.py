"""nginx (Debian's nginx-light) in front of app processes, with the shipped deploy/nginx-planmon.conf used as it
is: only its listen port and the two backend ports are replaced. An access log records which process served
each request, so a test can see where a browser's page, websocket and uploads went."""
from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.browser import serving
from tests.conftest import ROOT

SITE = ROOT / "deploy" / "nginx-planmon.conf"
SHIPPED_BACKENDS = ("server 127.0.0.1:8501 ", "server 127.0.0.1:8502 ")
SHIPPED_LISTEN = "listen 80;"
# "|" between fields: $upstream_addr lists every process nginx tried ("127.0.0.1:1, 127.0.0.1:2" after a retry).
LOG_FORMAT = "$cookie_planmon_route|$upstream_addr|$status|$request_uri"


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        raise RuntimeError("需要 nginx:apt-get install nginx-light")
    return found


def site_config(listen: int, backends: tuple[int, int]) -> str:
    """The shipped site file, listening on loopback `listen`, proxying to the two `backends` ports."""
    text = SITE.read_text(encoding="utf-8")
    assert text.count(SHIPPED_LISTEN) == 1 and all(text.count(b) == 1 for b in SHIPPED_BACKENDS)
    text = text.replace(SHIPPED_LISTEN, f"listen 127.0.0.1:{listen};")
    for shipped, port in zip(SHIPPED_BACKENDS, backends):
        text = text.replace(shipped, f"server 127.0.0.1:{port} ")
    return text


def write_config(folder: Path, listen: int, backends: tuple[int, int]) -> Path:
    """A main nginx.conf in `folder` (pid, logs and temp files there; no system paths) that includes the site."""
    (folder / "site.conf").write_text(site_config(listen, backends), encoding="utf-8")
    temps = "".join(f"{name}_temp_path {folder / name};\n" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = folder / "nginx.conf"
    main.write_text(f"""user root;
pid {folder / 'nginx.pid'};
error_log {folder / 'error.log'} warn;
events {{ worker_connections 256; }}
http {{
    {temps}
    log_format planmon '{LOG_FORMAT}';
    access_log {folder / 'access.log'} planmon;
    include {folder / 'site.conf'};
}}
""", encoding="utf-8")
    return main


def check_config(main: Path) -> subprocess.CompletedProcess:
    return subprocess.run([nginx_binary(), "-t", "-q", "-p", str(main.parent), "-c", str(main)],
                          capture_output=True, text=True, timeout=30, check=False)


@contextmanager
def nginx_proxy(folder: Path, listen: int, backends: tuple[int, int]) -> Iterator[str]:
    """nginx running the shipped site in front of `backends`; yields its base URL, stopped afterwards."""
    main = write_config(folder, listen, backends)
    proc = subprocess.Popen([nginx_binary(), "-p", str(folder), "-c", str(main), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with serving(proc, f"http://127.0.0.1:{listen}", "nginx", limit_s=30) as url:
        yield url


def served(folder: Path) -> list[tuple[str, str, str, str]]:
    """The access log so far: (route cookie, backend addresses, status, request URI) per request. The addresses are
    nginx's as logged: one, or several joined by ", " when a failed attempt was retried on another process."""
    path = folder / "access.log"
    if not path.exists():
        return []
    return [tuple(line.split("|", 3)) for line in path.read_text(encoding="utf-8").splitlines() if line.count("|") >= 3]
