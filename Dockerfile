FROM python:3.11-slim-bookworm
# MPLCONFIGDIR: matplotlib's font cache, built into the image below (a first 周报 chart then scans no fonts).
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 MPLCONFIGDIR=/var/cache/matplotlib
WORKDIR /app
# pg_dump/pg_restore for `manage.py backup`/`restore`: bookworm's are version 15, as the postgres service.
# fonts-noto-cjk: the Chinese labels of the 周报's chart (reform/weekly_chart.py).
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml ./
RUN pip install --no-cache-dir -e . && python -c "from matplotlib import font_manager"
COPY . .
RUN SECRET_KEY=build python manage.py collectstatic --noinput -v0
EXPOSE 8000
CMD ["gunicorn", "federation.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
