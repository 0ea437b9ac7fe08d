"""The deployment recipe's files (deploy/): the nginx site parses with Debian's nginx, and says what the
README promises (sticky routing by cookie, websocket upgrade on /_stcore/stream, the health check, the
forwarded scheme). Running it in front of two app processes: tests/test_browser_two_processes.py."""
from __future__ import annotations

import re

from tests.conftest import ROOT
from tests.nginx import SITE, check_config, write_config


def test_the_shipped_nginx_site_parses(tmp_path):
    done = check_config(write_config(tmp_path, 18080, (18501, 18502)))
    assert done.returncode == 0, done.stderr


def _block(text: str, head: str) -> str:
    start = text.index(head)
    return text[start:text.index("}", start)]


def test_the_nginx_site_routes_by_cookie_and_upgrades_the_websocket():
    text = re.sub(r"#.*", "", SITE.read_text(encoding="utf-8"))     # directives only
    upstream = _block(text, "upstream planmon")
    assert "hash $planmon_route consistent;" in upstream
    assert re.findall(r"server (\S+)", upstream) == ["127.0.0.1:8501", "127.0.0.1:8502"]
    stream = _block(text, "location /_stcore/stream")
    assert "proxy_set_header Upgrade    $http_upgrade;" in stream
    assert "proxy_set_header Connection $planmon_connection;" in stream
    assert "location = /_stcore/health" in text
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in text


def _app_keep_alive_s() -> float:
    """How long the app's server (uvicorn, as Streamlit starts it) keeps an idle connection open."""
    import inspect

    import uvicorn
    from streamlit.web.server.starlette.starlette_server import _get_uvicorn_config_kwargs

    assert "timeout_keep_alive" not in _get_uvicorn_config_kwargs()      # Streamlit keeps uvicorn's default
    return inspect.signature(uvicorn.Config).parameters["timeout_keep_alive"].default


def test_nginx_drops_idle_connections_to_a_process_before_the_process_does():
    """Otherwise a request sent on a connection the app is closing fails and nginx retries it on the other process,
    which has neither the browser's session nor its download files (CI saw a download 404 that way)."""
    upstream = _block(re.sub(r"#.*", "", SITE.read_text(encoding="utf-8")), "upstream planmon")
    assert "keepalive 16;" in upstream
    (seconds,) = re.findall(r"keepalive_timeout (\d+)s;", upstream)
    assert 0 < int(seconds) < _app_keep_alive_s()


def test_the_service_unit_and_the_settings_file_name_the_same_settings():
    unit = (ROOT / "deploy" / "planmon@.service").read_text(encoding="utf-8")
    env = (ROOT / "deploy" / "planmon.env.example").read_text(encoding="utf-8")
    assert "EnvironmentFile=/etc/planmon/planmon.env" in unit
    assert "--server.port %i --server.address 127.0.0.1" in unit
    names = re.findall(r"^(PLANMON_[A-Z_]+)=", env, flags=re.M)
    assert names[:2] == ["PLANMON_DB_URL", "PLANMON_COOKIE_KEY"]
    from lib.settings import SETTINGS
    assert set(names) <= {s.env for s in SETTINGS}
