"""The served dashboard's Streamlit settings (.streamlit/config.toml) agree with the app's own."""
import tomllib

from lib import settings
from tests.conftest import ROOT

CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_streamlit_upload_limit_is_the_settings_default() -> None:
    # Streamlit's own limit stops an oversized upload before our code reads it: below ours, a file we accept
    # would be refused in Streamlit's English. `make run` passes the setting (PLANMON_MAX_UPLOAD_MB) on.
    default = next(s.default for s in settings.SETTINGS if s.name == "max_upload_mb")
    assert CONFIG["server"]["maxUploadSize"] == default
    assert "--server.maxUploadSize" in (ROOT / "Makefile").read_text(encoding="utf-8")


def test_source_files_are_not_watched() -> None:
    # The watcher walks every loaded module at each new session's first run (~1 s of server CPU per page
    # opened, bench/pages.py); a served dashboard's code does not change under it.
    assert CONFIG["server"]["fileWatcherType"] == "none"
