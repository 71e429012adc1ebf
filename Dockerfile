# The app image of compose.yaml: Debian 12, the packages letters need, the package alone
# (no test tool), served by gunicorn.
FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends make fonts-noto-cjk libharfbuzz-subset0 \
        libpango-1.0-0 libpangoft2-1.0-0 graphviz \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /srv/jiati
COPY . .
RUN make runtime PYTHON=python3 \
 && useradd --system --home /srv/jiati jiati && mkdir -p instance && chown jiati instance
USER jiati
ENV HOST=0.0.0.0 PORT=8000
EXPOSE 8000
HEALTHCHECK CMD python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz', timeout=3)"
CMD [".venv/bin/gunicorn", "-c", "gunicorn.conf.py", "web:create_app()"]
