"""The plan pack: run the notebooks in order with papermill into ``reports/<plan>/<period>/``.

A pack appears whole or not at all: everything is written to a temporary folder
beside it and renamed at the end. A failed notebook is kept outside the pack.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import time
from pathlib import Path
from typing import Callable

import pandas as pd

from planlib import i18n, io, lifeline, paths, preflight, publish
from planlib.errors import PackError
from planlib.i18n.notebooks import translate_notebook
from planlib.kernels import WarmKernel
from planlib.secrets import redact_url
from planlib.plan import Plan, load_plan
from planlib.onepage import write_one_page
from planlib.report import render_html, write_plan_workbook
from planlib.periods import resolve_period

MANIFEST = "manifest.json"
_SOURCES = ".sources"  # the notebooks with their markdown in the report language, while they run
_PACKAGES = ("planlib", "pandas", "numpy", "statsmodels", "scipy", "pyarrow", "matplotlib", "openpyxl", "xlsxwriter", "papermill", "nbconvert")


def list_notebooks(root: Path, *, kind: str = "annual") -> list[Path]:
    """The cycle's notebooks for a pack kind (``annual`` or ``quarterly``), in run order.

    A notebook declares the packs it belongs to in its metadata
    (``"planlib": {"packs": ["annual", "quarterly"]}``); without it, it runs in both.
    """
    chosen = []
    for path in sorted(paths.notebooks_dir(root).glob("[0-9][0-9]_*.ipynb")):
        if kind in _planlib_metadata(path).get("packs", ["annual", "quarterly"]):
            chosen.append(path)
    return chosen


def _planlib_metadata(notebook: Path) -> dict:
    """The notebook's ``planlib`` metadata (which packs it belongs to, what it needs)."""
    return json.loads(notebook.read_text(encoding="utf-8")).get("metadata", {}).get("planlib", {})


def run_pack(
    params_path: str | Path,
    *,
    period: str = "",
    as_of: str = "",
    force: bool = False,
    root: str | Path | None = None,
    echo: Callable[[str], None] = lambda line: None,
) -> Path:
    """Execute the cycle for one params file and return the finished pack folder.

    Parameters
    ----------
    params_path : path
        ``params/<plan>.yaml`` (relative to the project root or absolute).
    period : str, default "" (the plan year)
        ``2025`` for the annual plan, ``2025-Q2`` for a quarterly tracking pack.
    as_of : str, default ""
        Last day of data to use (see ``periods.resolve_period``).
    force : bool, default False
        Replace an existing pack of the same plan and period.
    echo : callable
        Receives one progress line per notebook.

    Raises
    ------
    ParamsError
        The params file is invalid (nothing is run).
    PackError
        The pack exists (without ``force``) or a notebook failed.
    """
    project = paths.find_project_root(root)
    params_file = paths.resolve(params_path, project)
    plan = load_plan(params_file)
    i18n.activate(plan.report.language, plan.report.unit)  # the workbook, HTML and one-page plan in its language
    period, cutoff = resolve_period(plan, period=period, as_of=as_of)
    final = paths.pack_dir(project, plan.plan, period)
    locks = paths.reports_dir(project) / ".locks"
    with publish.pack_lock(locks / f"{plan.plan}-{period}.lock", label=_rel(final, project)):
        for line in publish.recover(final):
            echo(line)
        publish.recover_other_periods(final, locks, plan.plan, echo=echo)
        return _run_locked(plan, project, params_file, final, period=period, cutoff=cutoff, force=force, echo=echo)


def _run_locked(
    plan: Plan, project: Path, params_file: Path, final: Path, *, period: str, cutoff: dt.date, force: bool,
    echo: Callable[[str], None],
) -> Path:
    """The body of ``run_pack``, run while holding the lock of this plan and period."""
    if final.exists() and not force:
        raise PackError(i18n._("{pack} exists already; use --force to replace it").format(pack=_rel(final, project)))
    kind = "quarterly" if "-Q" in period else "annual"
    annual = paths.pack_dir(project, plan.plan, str(plan.plan_year))
    if kind == "quarterly" and not (annual / MANIFEST).is_file():
        raise PackError.no_annual_pack(_rel(annual, project), _rel(params_file, project))
    notebooks = list_notebooks(project, kind=kind)
    if not notebooks:
        raise PackError(i18n._("no notebooks to run in {folder}").format(folder=_rel(paths.notebooks_dir(project), project)))
    preflight.check_inputs(plan, project)  # a missing file or column stops here, not notebooks later

    token = publish.new_token()
    staging = publish.staging_dir(final, token)
    staging.mkdir(parents=True)
    timings: dict[str, float | str] = {}
    started = time.time()
    try:
        year_closed = cutoff >= dt.date(plan.plan_year, 12, 31)
        ran = []
        to_run = [nb for nb in notebooks if not (year_closed and _planlib_metadata(nb).get("needs_open_months", False))]
        with _kernel_root(project), _WarmKernels(project, len(to_run)) as kernels:
            for i, notebook in enumerate(notebooks, 1):
                if notebook not in to_run:
                    timings[notebook.name] = "skipped: no month of the plan year left to forecast"
                    echo(i18n._("[{i}/{n}] {notebook} skipped: the plan year is over, nothing left to forecast").format(
                        i=i, n=len(notebooks), notebook=notebook.name))
                    continue
                ran.append(notebook)
                km = kernels.next()  # this notebook's kernel, started while the one before ran
                seconds = _execute(notebook, staging, project=project, params_file=params_file, period=period, as_of=cutoff,
                                   plan=plan, km=km)
                timings[notebook.name] = round(seconds, 2)
                echo(i18n._("[{i}/{n}] {notebook} done in {seconds} s").format(
                    i=i, n=len(notebooks), notebook=notebook.name, seconds=f"{seconds:.1f}"))
        workbook = write_plan_workbook(staging, staging / f"{plan.plan}_{period}_plan.xlsx")
        if workbook is not None:
            _chmod_like_other_files(workbook)
        html = staging / "html"
        html.mkdir()
        for notebook in ran:
            render_html(staging / notebook.name, html / f"{notebook.stem}.html")
        echo(write_one_page(staging, title=plan.title or plan.plan, lang=plan.report.language,
                            subtitle=i18n._("Period {period}, data up to {as_of}").format(period=i18n.fmt_period(period), as_of=cutoff))[2])
        manifest = _manifest(plan, params_file, project, period=period, as_of=cutoff, timings=timings, seconds=time.time() - started)
        if kind == "quarterly":
            manifest["tracks"] = _tracked_plan(project, plan)
        io.write_json(manifest, staging / MANIFEST)
        publish.publish(staging, final, token=token)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        publish.recover(final)  # a swap cut by an error rolls back to the previous pack
        raise
    # a failure kept from an earlier run is stale once the pack is whole
    stale = paths.reports_dir(project) / plan.plan / "failed" / period
    shutil.rmtree(stale, ignore_errors=True)
    if stale.parent.is_dir() and not any(stale.parent.iterdir()):
        stale.parent.rmdir()
    echo(i18n._("pack written to {path}").format(path=_rel(final, project)))
    return final


def _kernel_arguments() -> list[str]:
    # the kernel's start-up chatter (TCP transport notice) is not the user's business;
    # the kernel and the workers it forks die with this process (planlib.lifeline)
    return ["--IPKernelApp.log_level=ERROR", *lifeline.kernel_arguments()]


@contextlib.contextmanager
def _kernel_root(project: Path):
    """Kernels started inside inherit the project root (notebooks find it through it) and know they run in a batch."""
    from planlib.whatif import BATCH_ENV_VAR

    previous = {key: os.environ.get(key) for key in (paths.ROOT_ENV_VAR, BATCH_ENV_VAR)}
    os.environ[paths.ROOT_ENV_VAR] = str(project)
    os.environ[BATCH_ENV_VAR] = "1"  # no live widgets in a batch run (planlib.whatif)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class _WarmKernels:
    """One kernel ahead (opt-in, PLANLIB_WARM_KERNELS=1): while a notebook runs, the next one's kernel starts and imports."""

    def __init__(self, project: Path, count: int):
        self._project, self._left = project, count
        self._ahead: WarmKernel | None = None
        self._current: WarmKernel | None = None
        self._stopping: list[WarmKernel] = []

    def __enter__(self) -> "_WarmKernels":
        self._ahead = self._start()
        return self

    def _start(self) -> WarmKernel | None:
        if self._left <= 0 or os.environ.get("PLANLIB_WARM_KERNELS", "0") != "1":  # opt-in: see the README
            return None
        self._left -= 1
        return WarmKernel(cwd=str(self._project), extra_arguments=_kernel_arguments()).start()

    def next(self):
        """The kernel manager for the notebook about to run (None: it starts its own); the next one starts now."""
        if self._current is not None:
            self._current.shutdown(wait=False)
            self._stopping.append(self._current)
        self._current, self._ahead = self._ahead, None
        self._ahead = self._start()
        return self._current.manager() if self._current is not None else None

    def __exit__(self, *exc) -> None:
        for kernel in (self._current, self._ahead):
            if kernel is not None:
                kernel.shutdown()
        for kernel in self._stopping:
            kernel.join()


def _execute(notebook: Path, staging: Path, *, project: Path, params_file: Path, period: str, as_of: dt.date, plan: Plan,
             km=None) -> float:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from planlib.kernels import QuietShutdownKernelManager

    output = staging / notebook.name
    parameters = {
        "params_path": str(params_file),
        "pack_dir": str(staging),
        "period": period,
        "as_of": str(as_of),
    }
    source = _in_report_language(notebook, staging)
    begin = time.perf_counter()
    kernel = {"km": km} if km is not None else {}  # a warm kernel, or papermill starts one
    try:
        papermill.execute_notebook(
            str(source),
            str(output),
            parameters=parameters,
            kernel_name="python3",
            cwd=str(project),
            progress_bar=False,
            log_output=False,
            extra_arguments=_kernel_arguments(),
            # no SIGINT to an idle kernel before its shutdown (planlib.kernels)
            kernel_manager_class=QuietShutdownKernelManager,
            **kernel,
        )
    except PapermillExecutionError as err:
        kept = _keep_failed(output, project, plan.plan, period)
        evalue = str(err.evalue).strip().splitlines()[0] if str(err.evalue).strip() else ""
        raise PackError(
            i18n._("{notebook} failed in cell {cell}: {error}: {message} (failed notebook kept at {path})").format(
                notebook=notebook.name, cell=err.exec_count, error=err.ename, message=evalue, path=_rel(kept, project)),
            notebook=notebook.name,
        ) from None
    finally:
        _restore_input_path(output, notebook)
        if source != notebook:
            shutil.rmtree(source.parent, ignore_errors=True)
    return time.perf_counter() - begin


def _in_report_language(notebook: Path, staging: Path) -> Path:
    """The notebook to execute: itself in English, else a copy with its markdown in the report language.

    The copy lives in a hidden folder of the staging area, removed once the notebook ran
    (``_execute``); the executed notebook records the original path (``_restore_input_path``).
    """
    if i18n.get_language() == "en":
        return notebook
    import nbformat

    folder = staging / _SOURCES
    folder.mkdir(exist_ok=True)
    copy = folder / notebook.name
    nbformat.write(translate_notebook(notebook), copy)
    return copy


def _restore_input_path(output: Path, notebook: Path) -> None:
    """Point an executed notebook's ``papermill.input_path`` back at the notebook of the cycle, not the translated copy."""
    if i18n.get_language() == "en" or not output.exists():
        return
    import nbformat

    nb = nbformat.read(output, as_version=4)
    nb.metadata.setdefault("papermill", {})["input_path"] = str(notebook)
    nbformat.write(nb, output)


def _keep_failed(output: Path, project: Path, plan_name: str, period: str) -> Path:
    """Move a failed notebook out of the staging folder so the user can open it."""
    folder = paths.reports_dir(project) / plan_name / "failed" / period
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / output.name
    if output.exists():
        shutil.move(str(output), target)
    return target


def _chmod_like_other_files(path: Path) -> None:
    """Give a file written through a private temporary file (mode 0600) the usual mode (0644 under umask 022)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def _manifest(plan: Plan, params_file: Path, project: Path, *, period: str, as_of: dt.date, timings: dict[str, float | str], seconds: float) -> dict:
    inputs = {_rel(params_file, project): io.hash_file(params_file)}
    for spec in (plan.data, plan.data.quotas, plan.data.reps, plan.targets.commitments):
        path = getattr(spec, "path", None)
        if path:
            file = paths.resolve(path, project)
            inputs[path] = io.hash_file(file) if file.is_file() else "missing"
    if plan.data.source == "demo":
        inputs["demo company"] = f"planlib.demo, n_lines={plan.data.demo.n_lines}, seed={plan.data.demo.seed}"
    if plan.data.url:
        inputs["data.query"] = f"{redact_url(plan.data.url)}: sha256 of the query {io.hash_text(plan.data.query or '')}"
    params = plan.to_dict()
    if params.get("data", {}).get("url"):
        params["data"]["url"] = redact_url(params["data"]["url"])  # no user name or password in any file
    versions = io.package_versions(_PACKAGES)
    return {
        "plan": plan.plan,
        "period": period,
        "as_of": str(as_of),
        "status": "complete",
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "inputs": inputs,
        "params": params,
        "packages": versions,
        "timings_seconds": {**timings, "total": round(seconds, 2)},
    }


def _tracked_plan(project: Path, plan: Plan) -> dict:
    """Which annual plan a quarterly pack tracks: its folder, creation time and targets hash."""
    annual = paths.pack_dir(project, plan.plan, str(plan.plan_year))
    targets = annual / "artifacts" / "targets_long.parquet"
    created = json.loads((annual / MANIFEST).read_text()).get("created") if (annual / MANIFEST).is_file() else None
    return {
        "pack": _rel(annual, project),
        "created": created,
        "targets_sha256": io.hash_file(targets) if targets.is_file() else None,
    }


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def run_year(
    params_path: str | Path,
    *,
    force: bool = False,
    root: str | Path | None = None,
    echo: Callable[[str], None] = lambda line: None,
    workers: int = 2,
) -> list[Path]:
    """The annual pack, then the four quarterly packs of the plan year, two at a time.

    The quarterly packs only read the annual plan, so they run in parallel once it exists.
    """
    from concurrent.futures import ProcessPoolExecutor

    project = paths.find_project_root(root)
    plan = load_plan(paths.resolve(params_path, project))
    packs = [run_pack(params_path, force=force, root=project, echo=echo)]
    quarters = [f"{plan.plan_year}-Q{q}" for q in range(1, 5)]
    # a worker runs a pack (and its kernels): it dies with this process, never runs on alone
    with ProcessPoolExecutor(max_workers=workers, initializer=lifeline.die_with_parent) as pool:
        futures = [pool.submit(run_pack, params_path, period=q, force=force, root=project) for q in quarters]
        for quarter, future in zip(quarters, futures):
            packs.append(future.result())
            echo(i18n._("quarterly pack {quarter} written to {path}").format(quarter=quarter, path=_rel(packs[-1], project)))
    return packs


def pack_targets(pack: Path) -> pd.DataFrame:
    """The targets a pack stands for: the re-planned year of a quarterly pack, else the annual plan."""
    for name in ("replanned_targets_long", "targets_long"):
        if io.has_artifact(pack, name):
            return io.read_artifact(pack, name)
    raise PackError(i18n._("{pack} holds no target table (targets_long or replanned_targets_long)").format(pack=pack))


def diff_packs(old: Path, new: Path) -> tuple[str, pd.DataFrame]:
    """A one-line summary and the table of every target that differs between two packs, each change once.

    ``targets_long`` holds each month's company target twice (dimension ``total`` and
    dimension ``month``); a ``month`` row equal to the ``total`` row of its month (same
    old and new) is the same change and is listed once, as ``total``.
    """
    from planlib import tracking

    table = tracking.diff_targets(pack_targets(old), pack_targets(new))
    keys = [tracking.MONTH, "old", "new"]
    totals = table.loc[table[tracking.DIMENSION] == tracking.TOTAL, keys]
    months = table[tracking.DIMENSION] == tracking.MONTH
    twin = table.loc[months, keys].merge(totals.drop_duplicates(), on=keys, how="left", indicator=True)
    repeated = pd.Series(False, index=table.index)
    repeated.loc[months[months].index] = (twin["_merge"] == "both").to_numpy()
    table = table.loc[~repeated].reset_index(drop=True)
    return tracking.summarize_plan_diff(table), table
