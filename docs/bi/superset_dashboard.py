"""An Apache Superset dashboard on a published caijue warehouse, built and proven to render.

    python docs/bi/superset_dashboard.py data/warehouse.duckdb

Superset pins libraries caijue does not use, so it lives in its own venv (`WORKDIR/venv`, created from
docs/bi/requirements.txt on the first run; this script then re-runs itself inside it). The script

1. snapshots the warehouse into WORKDIR (Superset holds its file open; a running ingest publishes by
   renaming over the original and must not meet Superset's read lock),
2. sets up Superset's metadata (SQLite in WORKDIR) and an admin user, starts Superset (gunicorn) on
   127.0.0.1:PORT,
3. through Superset's REST API registers the snapshot as a DuckDB database opened read-only, creates a
   dataset per answer mart, the charts and the dashboard of docs/bi/dashboard.yaml (a re-run replaces
   them),
4. proves the dashboard renders: fetches every chart's data through the chart data API (rows > 0, each
   metric's total equal to the chart's check query run directly on the snapshot with DuckDB), opens
   the dashboard in headless Chromium, logged in, until every chart has drawn, holds the data the
   dashboard's own requests received to the same totals, and screenshots it,
5. stops Superset (unless --keep-serving).

Exit status 0 when every chart rendered and agreed with DuckDB, 1 when one did not, 2 when the run
could not be made (one line says why).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import venv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "requirements.txt"
DEFAULT_SPEC = HERE / "dashboard.yaml"
DEFAULT_SCREENSHOT = HERE / "superset_dashboard.png"
ADMIN_USER = "admin"
CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")
CHART_SELECTOR = ".dashboard-component-chart-holder"
DRAWN_SELECTOR = "canvas, svg, table, .superset-legacy-chart-big-number, .big_number_total"
ERROR_SELECTOR = ".ant-alert-error, [data-test='error-message'], .alert-danger"
CHART_DATA_PATH = "/api/v1/chart/data"


class RunError(Exception):
    """A reason the run could not be made, printed as one line."""


def say(what: str, text: str) -> None:
    print(f"{what:<18} {text}", flush=True)


# -- 1. the venv -----------------------------------------------------------------------------------


def venv_python(workdir: Path) -> Path:
    return workdir / "venv" / "bin" / "python"


def ensure_venv(workdir: Path) -> None:
    """Create or refresh the Superset venv when requirements.txt changed; re-run this script inside it."""
    python = venv_python(workdir)
    if Path(sys.prefix).resolve() == python.parent.parent.resolve():
        return
    stamp = python.parent.parent / "requirements.sha256"
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if not python.exists() or not stamp.exists() or stamp.read_text() != wanted:
        started = time.monotonic()
        venv.create(python.parent.parent, with_pip=True, clear=True)
        log = workdir / "venv-install.log"
        with log.open("w") as out:
            done = subprocess.run(
                [str(python), "-m", "pip", "install", "-r", str(REQUIREMENTS)], stdout=out, stderr=subprocess.STDOUT
            )
        if done.returncode != 0:
            raise RunError(f"pip could not install {REQUIREMENTS.name} into {python.parent.parent}: see {log}")
        stamp.write_text(wanted)
        say("superset venv", f"{python.parent.parent}: installed in {time.monotonic() - started:.1f} s")
    else:
        say("superset venv", f"{python.parent.parent}: already installed ({REQUIREMENTS.name} unchanged)")
    sys.stdout.flush()
    os.execv(python, [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])


# -- 2. the spec and the warehouse snapshot --------------------------------------------------------


@dataclass(frozen=True)
class Chart:
    """One chart of dashboard.yaml, its `{year}` filled in."""

    key: str
    title: str
    table: str
    viz_type: str
    metrics: list[dict[str, str]]
    filters: list[str]
    check: str
    width: int
    height: int
    x_axis: dict[str, str] | None = None
    groupby: tuple[dict[str, str], ...] = ()
    stack: bool = False
    orientation: str = "vertical"


def load_spec(path: Path) -> dict[str, Any]:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


def charts_of(spec: dict[str, Any], year: int) -> list[Chart]:
    def fill(text: str) -> str:
        return text.replace("{year}", str(year))

    charts = []
    for entry in spec["charts"]:
        charts.append(
            Chart(
                key=entry["key"],
                title=fill(entry["title"]),
                table=entry["table"],
                viz_type=entry["viz_type"],
                metrics=entry["metrics"],
                filters=[fill(condition) for condition in entry.get("filters", [])],
                check=fill(entry["check"]),
                width=entry["width"],
                height=entry["height"],
                x_axis=entry.get("x_axis"),
                groupby=tuple(entry.get("groupby", ())),
                stack=entry.get("stack", False),
                orientation=entry.get("orientation", "vertical"),
            )
        )
    return charts


def snapshot_warehouse(warehouse: Path, workdir: Path) -> Path:
    snapshot = workdir / "warehouse.duckdb"
    partial = snapshot.with_suffix(".duckdb.partial")
    shutil.copyfile(warehouse, partial)
    partial.replace(snapshot)
    return snapshot


def file_digest(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def check_marts(snapshot: Path, spec: dict[str, Any]) -> int:
    """The latest year with both kinds; a clear error when a relation the dashboard reads is missing."""
    import duckdb

    schema = spec["schema"]
    wanted = sorted({entry["table"] for entry in spec["charts"]})
    try:
        connection = duckdb.connect(str(snapshot), read_only=True)
    except duckdb.Error as error:
        raise RunError(f"DuckDB cannot open the warehouse: {str(error).splitlines()[0]}") from error
    with connection:
        relations = connection.execute(
            "select table_name from information_schema.tables where table_schema = ?", [schema]
        ).fetchall()
        missing = [name for name in wanted if (name,) not in relations]
        if missing:
            listed = ", ".join(f"{schema}.{name}" for name in missing)
            raise RunError(f"the warehouse has no {listed}: build it with this release's caijue")
        row = connection.sql(spec["latest_year"]).fetchone()
    if row is None:
        raise RunError("the warehouse holds no fiscal year with both a budget and a final account")
    return int(row[0])


def direct_totals(snapshot: Path, charts: list[Chart]) -> dict[str, list[Decimal]]:
    import duckdb

    with duckdb.connect(str(snapshot), read_only=True) as connection:
        return {chart.key: [Decimal(sum_ or 0) for sum_ in connection.sql(chart.check).fetchone()] for chart in charts}


# -- 3. Superset's metadata and server -------------------------------------------------------------


def kept_secret(path: Path, length: int) -> str:
    """A random secret made on the first run and kept in the workdir (readable by its owner only)."""
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(length))
    return path.read_text()


def write_config(workdir: Path) -> Path:
    secret_key = kept_secret(workdir / "secret_key", 42)
    config = workdir / "superset_config.py"
    config.write_text(
        "# written by docs/bi/superset_dashboard.py\n"
        f"SECRET_KEY = {secret_key!r}\n"
        f"SQLALCHEMY_DATABASE_URI = {'sqlite:///' + str(workdir / 'superset.db')!r}\n"
        "SQLALCHEMY_TRACK_MODIFICATIONS = False\n"
        "TALISMAN_ENABLED = False  # local, plain http\n"
        "RATELIMIT_ENABLED = False\n"
        "FEATURE_FLAGS = {'DASHBOARD_RBAC': False}\n",
        encoding="utf-8",
    )
    return config


def superset_environment(workdir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SUPERSET_CONFIG_PATH": str(workdir / "superset_config.py"),
        "FLASK_APP": "superset",
        "SUPERSET_HOME": str(workdir),
    }


def prepare_metadata(workdir: Path) -> str:
    """Migrate the metadata, make the admin and Superset's roles; the admin's password."""
    password_file = workdir / "admin_password"
    new_password = not password_file.exists()
    password = kept_secret(password_file, 16)
    superset = str(Path(sys.executable).parent / "superset")
    environment = superset_environment(workdir)
    steps = [
        [superset, "db", "upgrade"],
        [superset, "fab", "create-admin", "--username", ADMIN_USER, "--firstname", "caijue", "--lastname", "bi",
         "--email", "admin@localhost", "--password", password],
        # create-admin leaves an existing admin as it is: a new password file needs its password set
        *([[superset, "fab", "reset-password", "--username", ADMIN_USER, "--password", password]]
          if new_password else []),
        [superset, "init"],
    ]  # fmt: skip
    with (workdir / "superset-setup.log").open("w") as log:
        for step in steps:
            log.write(f"$ {' '.join(step[:4])} …\n")
            log.flush()
            done = subprocess.run(step, env=environment, stdout=log, stderr=subprocess.STDOUT)
            if done.returncode != 0:
                raise RunError(f"`superset {' '.join(step[1:3])}` failed: see {workdir / 'superset-setup.log'}")
    return password


def ensure_port_free(port: int) -> None:
    """Another server on the port would answer our health check in our server's place."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise RunError(f"127.0.0.1:{port} is in use (a Superset left serving? stop it, or pass --port)")


def start_server(workdir: Path, port: int) -> subprocess.Popen[bytes]:
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    log = (workdir / "superset-server.log").open("w")
    return subprocess.Popen(
        [gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", "1", "--worker-class", "gthread", "--threads", "8",
         "--timeout", "300", "superset.app:create_app()"],
        env=superset_environment(workdir), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def wait_until_up(base: str, server: subprocess.Popen[bytes], workdir: Path, timeout: float = 180) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RunError(f"Superset exited with {server.returncode}: see {workdir / 'superset-server.log'}")
        with contextlib.suppress(requests.ConnectionError, requests.Timeout):
            if requests.get(f"{base}/health", timeout=30).status_code == 200:
                return
        time.sleep(0.5)
    log = workdir / "superset-server.log"
    raise RunError(f"Superset did not answer {base}/health within {timeout:.0f} s: see {log}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# -- 4. the REST API -------------------------------------------------------------------------------


class Superset:
    """Superset's REST API as the admin: a JWT for every call, the CSRF token for writes."""

    def __init__(self, base: str, password: str) -> None:
        import requests

        self.base = base
        self.http = requests.Session()
        login = self.http.post(
            f"{base}/api/v1/security/login",
            json={"username": ADMIN_USER, "password": password, "provider": "db", "refresh": True},
            timeout=60,
        )
        if login.status_code != 200:
            raise RunError(f"Superset refused the admin's login ({login.status_code}): {login.text[:200]}")
        self.http.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        token = self.call("GET", "/api/v1/security/csrf_token/")["result"]
        self.http.headers.update({"X-CSRFToken": token, "Referer": base})

    def call(self, method: str, path: str, payload: dict[str, Any] | None = None, **params: Any) -> Any:
        response = self.http.request(method, f"{self.base}{path}", json=payload, params=params or None, timeout=300)
        if response.status_code >= 400:
            raise RunError(f"Superset answered {method} {path} with {response.status_code}: {response.text[:300]}")
        return response.json(parse_float=Decimal)

    def find(self, resource: str, column: str, value: Any, operator: str = "eq") -> list[dict[str, Any]]:
        import prison

        query = prison.dumps({"filters": [{"col": column, "opr": operator, "value": value}], "page_size": 100})
        return self.call("GET", f"/api/v1/{resource}/", q=query)["result"]


def remove_previous(api: Superset, database_name: str, slug: str) -> int:
    """Delete what an earlier run made: the dashboard, its charts, the datasets and the database."""
    removed = 0
    for dashboard in api.find("dashboard", "slug", slug):
        for chart in api.call("GET", f"/api/v1/dashboard/{dashboard['id']}/charts")["result"]:
            api.call("DELETE", f"/api/v1/chart/{chart['id']}")
            removed += 1
        api.call("DELETE", f"/api/v1/dashboard/{dashboard['id']}")
        removed += 1
    for database in api.find("database", "database_name", database_name):
        for dataset in api.find("dataset", "database", database["id"], operator="rel_o_m"):
            api.call("DELETE", f"/api/v1/dataset/{dataset['id']}")
            removed += 1
        api.call("DELETE", f"/api/v1/database/{database['id']}")
        removed += 1
    return removed


def create_database(api: Superset, database_name: str, snapshot: Path) -> int:
    created = api.call(
        "POST",
        "/api/v1/database/",
        {
            "database_name": database_name,
            "sqlalchemy_uri": f"duckdb:///{snapshot}",
            "expose_in_sqllab": True,
            "allow_dml": False,
            "allow_file_upload": False,
            "extra": json.dumps({"engine_params": {"connect_args": {"read_only": True}}}),
        },
    )
    return created["id"]


def create_datasets(api: Superset, database_id: int, schema: str, tables: list[str]) -> dict[str, int]:
    created = {}
    for table in tables:
        dataset = {"database": database_id, "schema": schema, "table_name": table}
        created[table] = api.call("POST", "/api/v1/dataset/", dataset)["id"]
    return created


def adhoc_column(column: dict[str, str]) -> dict[str, str]:
    return {"expressionType": "SQL", "label": column["label"], "sqlExpression": column["sql"]}


def adhoc_metric(metric: dict[str, str]) -> dict[str, Any]:
    return {
        "expressionType": "SQL",
        "sqlExpression": metric["sql"],
        "label": metric["label"],
        "hasCustomLabel": True,
        "optionName": "metric_" + hashlib.sha1(metric["label"].encode()).hexdigest()[:12],
    }


def form_data(chart: Chart, dataset_id: int) -> dict[str, Any]:
    """The chart's params as Superset's explore view saves them."""
    metrics = [adhoc_metric(metric) for metric in chart.metrics]
    params: dict[str, Any] = {
        "datasource": f"{dataset_id}__table",
        "viz_type": chart.viz_type,
        "adhoc_filters": [
            {"expressionType": "SQL", "clause": "WHERE", "sqlExpression": condition} for condition in chart.filters
        ],
        "row_limit": 10000,
        "color_scheme": "supersetColors",
        "y_axis_format": ",.2f",
        "extra_form_data": {},
    }
    if chart.viz_type == "big_number_total":
        params |= {"metric": metrics[0], "header_font_size": 0.4, "subheader_font_size": 0.15}
    elif chart.viz_type == "table":
        params |= {
            "query_mode": "aggregate",
            "groupby": [adhoc_column(column) for column in chart.groupby],
            "metrics": metrics,
            "order_desc": True,
            "server_page_length": 25,
            "show_cell_bars": True,
            "table_timestamp_format": "smart_date",
            "column_config": {metric["label"]: {"d3NumberFormat": ",.2f"} for metric in chart.metrics},
        }
    else:  # echarts_timeseries_bar / echarts_timeseries_line with a categorical x axis
        params |= {
            "x_axis": adhoc_column(chart.x_axis or {}),
            "x_axis_sort_asc": True,
            "groupby": [adhoc_column(column) for column in chart.groupby],
            "metrics": metrics,
            "orientation": chart.orientation,
            "stack": "Stack" if chart.stack else None,
            "show_legend": True,
            "legendType": "scroll",
            "legendOrientation": "top",
            "rich_tooltip": True,
            "truncate_metric": True,
            "order_desc": True,
            "comparison_type": "values",
            "annotation_layers": [],
            "y_axis_bounds": [None, None],
            "x_axis_title_margin": 15,
            "y_axis_title_margin": 15,
            "y_axis_title_position": "Left",
            "markerEnabled": True,
        }
    return params


def query_context(chart: Chart, dataset_id: int, params: dict[str, Any]) -> dict[str, Any]:
    """The query the chart data API answers for this chart: its groups and metrics under its filters."""
    columns = ([adhoc_column(chart.x_axis)] if chart.x_axis else []) + [adhoc_column(c) for c in chart.groupby]
    metrics = [adhoc_metric(metric) for metric in chart.metrics]
    return {
        "datasource": {"id": dataset_id, "type": "table"},
        "force": True,
        "queries": [
            {
                "columns": columns,
                "metrics": metrics,
                "filters": [],
                "extras": {"where": " AND ".join(f"({condition})" for condition in chart.filters), "having": ""},
                "orderby": [[metrics[0], False]],
                "row_limit": 10000,
                "annotation_layers": [],
                "series_limit": 0,
                "order_desc": True,
            }
        ],
        "form_data": params,
        "result_format": "json",
        "result_type": "full",
    }


def create_chart(api: Superset, chart: Chart, dataset_id: int, dashboard_id: int) -> int:
    params = form_data(chart, dataset_id)
    created = api.call(
        "POST",
        "/api/v1/chart/",
        {
            "slice_name": chart.title,
            "viz_type": chart.viz_type,
            "datasource_id": dataset_id,
            "datasource_type": "table",
            "params": json.dumps(params, ensure_ascii=False),
            "query_context": json.dumps(query_context(chart, dataset_id, params), ensure_ascii=False),
            "dashboards": [dashboard_id],
        },
    )
    return created["id"]


def position_json(title: str, layout: list[list[str]], charts: dict[str, Chart], chart_ids: dict[str, int]) -> str:
    """Superset's v2 dashboard layout: a header, then one grid row per layout line."""
    position: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
        "HEADER_ID": {"type": "HEADER", "id": "HEADER_ID", "meta": {"text": title}},
    }
    for number, keys in enumerate(layout, start=1):
        row = f"ROW-{number}"
        position["GRID_ID"]["children"].append(row)
        position[row] = {
            "type": "ROW",
            "id": row,
            "children": [f"CHART-{key}" for key in keys],
            "parents": ["ROOT_ID", "GRID_ID"],
            "meta": {"background": "BACKGROUND_TRANSPARENT"},
        }
        for key in keys:
            position[f"CHART-{key}"] = {
                "type": "CHART",
                "id": f"CHART-{key}",
                "children": [],
                "parents": ["ROOT_ID", "GRID_ID", row],
                "meta": {
                    "chartId": chart_ids[key],
                    "width": charts[key].width,
                    "height": charts[key].height,
                    "sliceName": charts[key].title,
                },
            }
    return json.dumps(position, ensure_ascii=False)


def build_dashboard(api: Superset, spec: dict[str, Any], charts: list[Chart], dataset_ids: dict[str, int]) -> int:
    title, slug = spec["dashboard"]["title"], spec["dashboard"]["slug"]
    dashboard_id = api.call("POST", "/api/v1/dashboard/", {"dashboard_title": title, "slug": slug, "published": True})[
        "id"
    ]
    chart_ids = {chart.key: create_chart(api, chart, dataset_ids[chart.table], dashboard_id) for chart in charts}
    by_key = {chart.key: chart for chart in charts}
    api.call(
        "PUT",
        f"/api/v1/dashboard/{dashboard_id}",
        {
            "position_json": position_json(title, spec["layout"], by_key, chart_ids),
            "json_metadata": json.dumps({"color_scheme": "supersetColors", "refresh_frequency": 0}),
        },
    )
    return dashboard_id


# -- 5. the proof ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartData:
    """A chart's totals three ways: the chart data API's, the browser's (what the dashboard drew), DuckDB's."""

    chart: Chart
    rows: int
    totals: list[Decimal]
    drawn: list[Decimal] | None
    expected: list[Decimal]

    @property
    def agrees(self) -> bool:
        return self.rows > 0 and self.totals == self.expected and self.drawn == self.expected


def metric_totals(chart: Chart, result: dict[str, Any]) -> list[Decimal] | None:
    """Each metric summed over a chart data result's rows. A result pivoted by series (how the ECharts
    charts ask for their data: one column per series) sums every series of its one metric."""
    rows, labels = result["data"], [metric["label"] for metric in chart.metrics]
    if all(label in result["colnames"] for label in labels):
        return [sum((Decimal(row[label] or 0) for row in rows), Decimal(0)) for label in labels]
    if len(labels) != 1:
        return None
    axis = chart.x_axis["label"] if chart.x_axis else None
    values = [value for row in rows for key, value in row.items() if key != axis and value is not None]
    if not all(isinstance(value, int | Decimal) and not isinstance(value, bool) for value in values):
        return None
    return [sum((Decimal(value) for value in values), Decimal(0))]


def fetch_chart_data(api: Superset, chart: Chart, chart_id: int) -> tuple[int, list[Decimal]]:
    """The chart's rows and metric totals from its saved query, through the chart data API."""
    result = api.call("GET", f"/api/v1/chart/{chart_id}/data/", format="json", type="full")["result"][0]
    return len(result["data"]), metric_totals(chart, result) or []


def chromium_path() -> str:
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    raise RunError("no Chromium found (Debian: apt-get install -y chromium)")


@dataclass(frozen=True)
class Rendering:
    charts: int
    drawn: int
    errors: list[str]
    seconds: float
    data: dict[int, dict[str, Any]]  # slice id → the chart data result the dashboard drew


LOGIN_ATTEMPTS = 3


def log_in(page: Any, base: str, password: str, timeout_ms: int) -> None:
    """Through Superset's login page. A form filled before the page has settled can be submitted empty
    (seen: a first attempt back on /login/): each attempt waits for the network to go idle first."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(LOGIN_ATTEMPTS):
        page.goto(f"{base}/login/", wait_until="networkidle", timeout=timeout_ms)
        page.fill("input#username, input[name=username]", ADMIN_USER)
        page.fill("input#password, input[name=password]", password)
        page.keyboard.press("Enter")
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_url(lambda url: "/login" not in url, timeout=timeout_ms // LOGIN_ATTEMPTS)
            return
    raise RunError(f"headless Chromium could not log in to {base} in {LOGIN_ATTEMPTS} attempts")


def screenshot(base: str, slug: str, password: str, target: Path, timeout_ms: int = 120_000) -> Rendering:
    """Log in as a person would, open the dashboard and wait until every chart holder has drawn (or shows
    an error). A dashboard that does not finish drawing is screenshot as it is and reported."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        page = browser.new_page(viewport={"width": 1600, "height": 1200}, locale="zh-CN")
        log_in(page, base, password, timeout_ms)
        answers: list[Any] = []
        page.on("response", lambda response: answers.append(response) if CHART_DATA_PATH in response.url else None)
        page.goto(f"{base}/superset/dashboard/{slug}/?standalone=1")
        problems = []
        try:
            page.wait_for_selector(CHART_SELECTOR, timeout=timeout_ms)
            page.wait_for_function(
                """([holders, drawn, errors]) => {
                    const all = [...document.querySelectorAll(holders)];
                    return all.length > 0 && all.every(h => h.querySelector(drawn) || h.querySelector(errors))
                        && document.querySelectorAll('.loading').length === 0;
                }""",
                arg=[CHART_SELECTOR, DRAWN_SELECTOR, ERROR_SELECTOR],
                timeout=timeout_ms,
            )
            page.wait_for_timeout(1500)  # ECharts' entry animation
        except PlaywrightTimeout:
            problems.append(f"the dashboard had not drawn after {timeout_ms / 1000:.0f} s (at {page.url})")
        holders = page.query_selector_all(CHART_SELECTOR)
        drawn = sum(1 for holder in holders if holder.query_selector(DRAWN_SELECTOR))
        problems += [element.inner_text().strip() for element in page.query_selector_all(ERROR_SELECTOR)]
        target.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target), full_page=True)
        data = drawn_data(answers)
        browser.close()
    return Rendering(len(holders), drawn, problems, time.monotonic() - started, data)


def drawn_data(answers: list[Any]) -> dict[int, dict[str, Any]]:
    """The chart data results the dashboard asked for, by the slice id its request names."""
    data = {}
    for response in answers:
        request = response.request
        if request.method != "POST" or not response.ok:
            continue
        slice_id = (request.post_data_json or {}).get("form_data", {}).get("slice_id")
        if slice_id is not None:
            data[int(slice_id)] = json.loads(response.text(), parse_float=Decimal)["result"][0]
    return data


# -- the run ---------------------------------------------------------------------------------------


def print_chart_data(checked: list[ChartData]) -> None:
    print("\n| chart | rows | metric | chart data API | drawn by the dashboard | DuckDB on the warehouse | equal |")
    print("|---|---:|---|---:|---:|---:|---|")
    for data in checked:
        missing = [None] * len(data.expected)
        columns = zip(data.chart.metrics, data.totals or missing, data.drawn or missing, data.expected, strict=True)
        for metric, total, drawn, expected in columns:
            same = "yes" if data.rows > 0 and total == expected == drawn else "NO"
            print(
                f"| {data.chart.title} | {data.rows} | {metric['label']} | {amount(total)} | {amount(drawn)} "
                f"| {amount(expected)} | {same} |"
            )
    print(flush=True)


def amount(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.4f}"


def run(arguments: argparse.Namespace) -> int:
    workdir: Path = arguments.workdir
    spec = load_spec(arguments.spec)
    ensure_port_free(arguments.port)

    started = time.monotonic()
    snapshot = snapshot_warehouse(arguments.warehouse, workdir)
    year = check_marts(snapshot, spec)
    charts = charts_of(spec, year)
    expected = direct_totals(snapshot, charts)
    size_mb = snapshot.stat().st_size / 1e6
    say("warehouse", f"{arguments.warehouse} → snapshot {snapshot} ({size_mb:.1f} MB), latest year {year}")

    write_config(workdir)
    password = prepare_metadata(workdir)
    say("superset metadata", f"sqlite {workdir / 'superset.db'}: ready in {time.monotonic() - started:.1f} s")

    base = f"http://127.0.0.1:{arguments.port}"
    started = time.monotonic()
    server = start_server(workdir, arguments.port)
    try:
        wait_until_up(base, server, workdir)
        say("superset server", f"{base} (gunicorn, pid {server.pid}): up in {time.monotonic() - started:.1f} s")
        return build_and_prove(arguments, spec, charts, expected, snapshot, base, password)
    finally:
        if arguments.keep_serving and server.poll() is None:
            say(
                "superset server",
                f"still serving {base} (pid {server.pid}); log in as {ADMIN_USER} with {workdir / 'admin_password'}",
            )
        else:
            stop_server(server)
            say("superset server", "stopped")


def build_and_prove(
    arguments: argparse.Namespace,
    spec: dict[str, Any],
    charts: list[Chart],
    expected: dict[str, list[Decimal]],
    snapshot: Path,
    base: str,
    password: str,
) -> int:
    started = time.monotonic()
    digest_before = file_digest(snapshot)
    api = Superset(base, password)
    removed = remove_previous(api, spec["database_name"], spec["dashboard"]["slug"])
    database_id = create_database(api, spec["database_name"], snapshot)
    tables = sorted({chart.table for chart in charts})
    dataset_ids = create_datasets(api, database_id, spec["schema"], tables)
    dashboard_id = build_dashboard(api, spec, charts, dataset_ids)
    on_dashboard = api.call("GET", f"/api/v1/dashboard/{dashboard_id}/charts")["result"]
    chart_ids = {chart["slice_name"]: chart["id"] for chart in on_dashboard}
    say("database", f"{spec['database_name']!r} (id {database_id}): duckdb:///{snapshot}, read_only, no DML")
    say("datasets", ", ".join(f"{spec['schema']}.{table} ({dataset_ids[table]})" for table in tables))
    say(
        "dashboard",
        f"{base}/superset/dashboard/{spec['dashboard']['slug']}/ (id {dashboard_id}, {len(chart_ids)} charts; "
        f"{removed} objects of an earlier run replaced): {time.monotonic() - started:.1f} s",
    )

    started = time.monotonic()
    fetched = {chart.key: fetch_chart_data(api, chart, chart_ids[chart.title]) for chart in charts}
    say("chart data", f"{len(fetched)} charts through /api/v1/chart/<id>/data/: {time.monotonic() - started:.1f} s")

    rendering = screenshot(base, spec["dashboard"]["slug"], password, arguments.screenshot)
    say(
        "screenshot",
        f"{arguments.screenshot}: {rendering.drawn} of {rendering.charts} charts drawn, "
        f"{len(rendering.errors)} errors, {len(rendering.data)} chart data answers seen, "
        f"{rendering.seconds:.1f} s (headless Chromium, logged in)",
    )
    for error in rendering.errors:
        say("chart error", error.replace("\n", " ")[:200])

    checked = []
    for chart in charts:
        rows, totals = fetched[chart.key]
        drawn = rendering.data.get(chart_ids[chart.title])
        drawn_totals = metric_totals(chart, drawn) if drawn else None
        checked.append(ChartData(chart, rows, totals, drawn_totals, expected[chart.key]))
    print_chart_data(checked)

    untouched = file_digest(snapshot) == digest_before
    say("read-only", f"the snapshot's sha256 {'is unchanged' if untouched else 'CHANGED'} after Superset read it")

    proven = (
        all(data.agrees for data in checked)
        and rendering.charts == len(charts)
        and rendering.drawn == len(charts)
        and not rendering.errors
        and untouched
    )
    say("result", "every chart rendered and agrees with DuckDB" if proven else "NOT proven (see above)")
    return 0 if proven else 1


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("warehouse", type=Path, help="a published caijue warehouse (DuckDB file)")
    parser.add_argument(
        "--workdir", type=Path, default=Path("data/.superset"), help="venv, metadata, snapshot (default data/.superset)"
    )
    parser.add_argument("--port", type=int, default=8088)
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="the dashboard (default: dashboard.yaml here)")
    parser.add_argument("--screenshot", type=Path, default=DEFAULT_SCREENSHOT)
    parser.add_argument("--keep-serving", action="store_true", help="leave Superset running at the end")
    arguments = parser.parse_args()
    arguments.warehouse = arguments.warehouse.resolve()
    arguments.workdir = arguments.workdir.resolve()
    arguments.screenshot = arguments.screenshot.resolve()
    return arguments


def main() -> int:
    arguments = parse_arguments()
    try:
        if not arguments.warehouse.is_file():
            raise RunError(f"no warehouse at {arguments.warehouse}")
        if not arguments.spec.is_file():
            raise RunError(f"no dashboard spec at {arguments.spec}")
        arguments.workdir.mkdir(parents=True, exist_ok=True)
        ensure_venv(arguments.workdir)
        return run(arguments)
    except RunError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
