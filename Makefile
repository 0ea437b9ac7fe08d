# Two commands do all set-up on a fresh machine (Debian 12, Python 3.11):
#   make run   — create the environment and start the dashboard on the sample data
#   make test  — create the environment (and Chromium for the browser tests) and run every test
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501
# Where `make run` listens: this machine only unless configured (lib/settings.py `server_address`; the
# README's 设置 table, and 在局域网上提供服务 for serving a network).
PLANMON_SERVER_ADDRESS ?= 127.0.0.1

.PHONY: run test system-deps bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Chromium drives the browser tests and the server-side chart images (kaleido); Debian's package, no download.
# nginx: the deployment recipe's reverse proxy (deploy/nginx-planmon.conf), parsed and run by the tests.
system-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "需要 Chromium:请运行 sudo apt-get install chromium" >&2; exit 1; fi; fi
	@if [ ! -x /usr/sbin/nginx ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; \
	  else echo "需要 nginx(部署说明里的反向代理,测试会起一个):请运行 sudo apt-get install nginx-light" >&2; exit 1; fi; fi
	@if [ ! -x /usr/bin/pdftotext ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; \
	  else echo "需要 pdftotext(打印测试读取打印出的 PDF):请运行 sudo apt-get install poppler-utils" >&2; exit 1; fi; fi

run: $(VENV)/.installed
	@$(PY) -m lib.setupcheck --address $(PLANMON_SERVER_ADDRESS) || true   # warnings and set-up problems, on stderr
	$(VENV)/bin/streamlit run dashboard.py --server.port $(PORT) --server.address $(PLANMON_SERVER_ADDRESS) \
	  --server.maxUploadSize $$($(PY) -c 'from lib import settings; print(int(settings.get("max_upload_mb")))')

test: $(VENV)/.installed system-deps
	$(PY) -m pytest

bench: $(VENV)/.installed system-deps
	$(PY) bench/assess.py && $(PY) bench/workbook.py && $(PY) bench/images.py && $(PY) bench/briefing.py && $(PY) bench/report.py && $(PY) bench/pages.py && $(PY) bench/city.py

clean:
	rm -rf $(VENV) .pytest_cache
