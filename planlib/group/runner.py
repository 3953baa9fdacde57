"""Many business units' packs at once on dask.distributed, then their group plan.

Each unit's pack is one task (``pack_unit``) run by a worker process: a ``LocalCluster``
by default, or the workers of an existing scheduler (``tcp://host:8786``) that see the
same project folder. Every pack stays atomic; a unit that fails is reported in one line
and the others still publish.
"""

from __future__ import annotations

import logging
import os
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from planlib import paths
from planlib.errors import PackError, PlanlibError
from planlib.plan import Plan, load_plan
from planlib.periods import resolve_period

PARAMS_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class UnitResult:
    """How one unit's pack went: ``pack`` is set when it published, ``message`` says why not."""

    params: str
    plan: str
    pack: str | None
    seconds: float
    message: str = ""
    traceback: str = ""
    worker: str = ""

    @property
    def ok(self) -> bool:
        return self.pack is not None


@dataclass
class ManyResult:
    """The outcome of ``run_many``: one ``UnitResult`` per unit and the group pack, if written."""

    units: list[UnitResult]
    group_pack: Path | None = None
    group_message: str = ""
    seconds: float = 0.0
    workers: int = 0
    group_failed: bool = False
    failed: list[UnitResult] = field(init=False)

    def __post_init__(self) -> None:
        self.failed = [u for u in self.units if not u.ok]

    @property
    def ok(self) -> bool:
        """Every unit published and the group plan was written (or, for a quarter, not due)."""
        return not self.failed and not self.group_failed


def find_params(args: list[str | Path], root: Path) -> list[Path]:
    """The params files named by ``args``: files as given, folders as their ``*.yaml`` / ``*.yml`` (sorted)."""
    found: list[Path] = []
    for arg in args:
        path = paths.resolve(arg, root)
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.suffix.lower() in PARAMS_SUFFIXES and p.is_file())
            if not inside:
                raise PackError(f"{arg}: no params files (*.yaml, *.yml) in this folder")
            found += inside
        elif path.is_file():
            found.append(path)
        else:
            raise PackError(f"{arg}: no such params file or folder")
    return found


def check_units(params_files: list[Path], root: Path, *, group: str, period: str = "", as_of: str = "") -> list[tuple[Path, Plan]]:
    """Load every unit's params and refuse, in one line, a set that cannot make one group plan.

    Refused: an invalid params file, the same file twice, two units with the same ``plan``
    name (their packs would share a folder), different ``plan_year`` or ``currency``, a
    group name that is also a unit's plan name, or periods that differ.
    """
    paths.safe_folder_name(group)
    plans: list[tuple[Path, Plan]] = []
    by_name: dict[str, Path] = {}
    for file in params_files:
        plan = load_plan(file)
        label = _rel(file, root)
        key = plan.plan.casefold()  # North and north share a folder on macOS and Windows
        if key in by_name:
            first = _rel(by_name[key], root)
            if by_name[key] == file:
                raise PackError(f"{label} is given twice; each unit once")
            raise PackError(f"{first} and {label} both name plan '{plan.plan}'; each unit needs its own plan name")
        by_name[key] = file
        plans.append((file, plan))
    first_file, first = plans[0]
    for file, plan in plans[1:]:
        if plan.plan_year != first.plan_year:
            raise PackError(f"{_rel(file, root)} plans {plan.plan_year} but {_rel(first_file, root)} plans "
                            f"{first.plan_year}; a group plans one year")
        if plan.currency != first.currency:
            raise PackError(f"{_rel(file, root)} plans in {plan.currency} but {_rel(first_file, root)} in "
                            f"{first.currency}; a group sums one currency")
    if group.casefold() in by_name:
        raise PackError(f"the group name '{group}' is also the plan of {_rel(by_name[group.casefold()], root)}; "
                        "choose another --group")
    periods = {resolve_period(plan, period=period, as_of=as_of)[0] for _, plan in plans}
    if len(periods) > 1:
        raise PackError(f"the units resolve to different periods {sorted(periods)}; give --period")
    return plans


def pack_unit(params_file: str, *, period: str, as_of: str, force: bool, root: str) -> UnitResult:
    """Run one unit's pack (a dask task); never raises, the result says what happened."""
    from planlib.pack import run_pack

    started = time.perf_counter()
    worker = f"{os.uname().nodename}:{os.getpid()}"
    plan_name = ""
    try:
        plan_name = load_plan(params_file).plan
        pack = run_pack(params_file, period=period, as_of=as_of, force=force, root=root)
        return UnitResult(params_file, plan_name, str(pack), time.perf_counter() - started, worker=worker)
    except PlanlibError as err:
        return UnitResult(params_file, plan_name, None, time.perf_counter() - started, message=str(err), worker=worker)
    except Exception as err:  # a bug: kept with its traceback, the other units go on
        return UnitResult(params_file, plan_name, None, time.perf_counter() - started,
                          message=f"{type(err).__name__}: {err}", traceback=traceback.format_exc(), worker=worker)


def run_many(
    params: list[str | Path],
    *,
    group: str = "group",
    period: str = "",
    as_of: str = "",
    force: bool = False,
    root: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    connect_timeout: str = "20s",
    echo: Callable[[str], None] = lambda line: None,
    warn: Callable[[str], None] | None = None,
) -> ManyResult:
    """Pack every unit in parallel on dask.distributed, then write the group plan.

    Parameters
    ----------
    params : list of path
        Params files and/or folders of them (relative to the project root or absolute).
    group : str, default "group"
        The group plan's name: its pack is ``reports/<group>/<period>/``.
    period, as_of, force
        As for :func:`planlib.pack.run_pack`, for every unit. The group plan is written
        for the annual period only (quarterly packs track each unit's own plan).
    workers : int, optional
        Worker processes of the local cluster (default: one per unit, at most one per core).
    scheduler : str, optional
        Address of a running dask scheduler (``tcp://host:8786``) instead of a local
        cluster; its workers must see the project folder at the same path.
    connect_timeout : str, default "20s"
        How long to try reaching ``scheduler`` before giving up with one line.
    echo : callable
        Receives one line per unit as it finishes, and the group's lines.
    warn : callable, optional
        Receives the lines of failed units and of a group plan not written instead of
        ``echo`` (the command sends them to stderr).

    Returns
    -------
    ManyResult
        Per unit its pack or its one-line failure, and the group pack (``None`` when a
        unit failed: a group plan missing a unit would understate the group).

    Raises
    ------
    PlanlibError
        The units cannot form one group (see :func:`check_units`); nothing is run.
    """
    from planlib.group.pack import write_group_pack

    project = paths.find_project_root(root)
    files = find_params(list(params), project)
    plans = check_units(files, project, group=group, period=period, as_of=as_of)
    resolved = resolve_period(plans[0][1], period=period, as_of=as_of)[0]
    group_dir = paths.pack_dir(project, group, resolved)
    if "-Q" not in resolved and group_dir.exists() and not force:  # refused now, not after every unit has run
        raise PackError(f"{_rel(group_dir, project)} exists already; use --force to replace it")
    started = time.perf_counter()
    results, n_workers = _run_on_dask(
        [str(f) for f in files], period=period, as_of=as_of, force=force, root=str(project),
        workers=workers, scheduler=scheduler, connect_timeout=connect_timeout, echo=echo, warn=warn or echo,
        labels={str(f): _rel(f, project) for f in files},
    )
    order = {str(f): i for i, f in enumerate(files)}
    results.sort(key=lambda r: order[r.params])
    outcome = ManyResult(results, seconds=time.perf_counter() - started, workers=n_workers)
    if outcome.failed:
        outcome.group_message = f"group plan '{group}' not written: {len(outcome.failed)} of {len(results)} unit(s) failed"
    elif "-Q" in resolved:
        outcome.group_message = f"group plan not written for {resolved}: it consolidates annual packs only"
    else:
        unit_packs = {r.plan: Path(r.pack) for r in results}
        try:
            outcome.group_pack = write_group_pack(unit_packs, group=group, period=resolved, root=project, force=force,
                                                  params={r.plan: r.params for r in results}, echo=echo)
        except PlanlibError as err:  # the unit packs stand; the group plan can be written later (planlib group)
            outcome.group_message = f"group plan '{group}' not written: {err}"
            outcome.group_failed = True
    if outcome.group_message:
        (warn or echo)(outcome.group_message)
    return outcome


def consolidate_units(
    params: list[str | Path],
    *,
    group: str = "group",
    period: str = "",
    force: bool = False,
    root: str | Path | None = None,
    echo: Callable[[str], None] = lambda line: None,
) -> Path:
    """Write the group plan from the units' existing packs, running none of them.

    For a set whose packs are already whole (a failed unit re-run alone, or packs made
    one by one): the same checks as :func:`run_many`, then :func:`write_group_pack`.
    """
    from planlib.group.pack import write_group_pack

    project = paths.find_project_root(root)
    files = find_params(list(params), project)
    plans = check_units(files, project, group=group, period=period)
    resolved = resolve_period(plans[0][1], period=period)[0]
    if "-Q" in resolved:
        raise PackError(f"a group plan consolidates annual packs; got period {resolved}")
    packs = {plan.plan: paths.pack_dir(project, plan.plan, resolved) for _, plan in plans}
    missing = [f"{_rel(file, project)} ({_rel(packs[plan.plan], project)})" for file, plan in plans
               if not (packs[plan.plan] / "manifest.json").is_file()]
    if missing:
        raise PackError(f"no whole pack for {len(missing)} unit(s): {', '.join(missing)}; run `planlib pack` for them first")
    return write_group_pack(packs, group=group, period=resolved, root=project, force=force,
                            params={plan.plan: str(file) for file, plan in plans}, echo=echo)


def _run_on_dask(files: list[str], *, period: str, as_of: str, force: bool, root: str, workers: int | None,
                 scheduler: str | None, connect_timeout: str, echo: Callable[[str], None],
                 warn: Callable[[str], None], labels: dict[str, str]) -> tuple[list[UnitResult], int]:
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout=connect_timeout)
        else:
            n = workers or max(1, min(len(files), os.cpu_count() or 1))
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                                   silence_logs=logging.ERROR)
            client = Client(cluster)
    except OSError as err:
        where = scheduler or "a local cluster"
        raise PackError(f"cannot reach the dask scheduler at {where}: {err}") from None
    try:
        n_workers = len(client.scheduler_info(n_workers=-1)["workers"])
        if n_workers == 0:
            raise PackError(f"the dask scheduler at {scheduler} has no workers")
        echo(f"{len(files)} unit(s) on {n_workers} dask worker(s)" + (f" at {scheduler}" if scheduler else ""))
        futures = {}
        for f in files:
            # pure=False: a unit is packed once per call, never served from a cache of an earlier run
            future = client.submit(pack_unit, f, period=period, as_of=as_of, force=force, root=root,
                                   pure=False, retries=0, key=f"pack-{Path(f).stem}-{os.urandom(4).hex()}")
            futures[future] = f
        results = []
        for future in as_completed(futures):
            file = futures[future]
            try:
                result = future.result()
            except Exception as err:  # the worker died (killed, out of memory): the task is lost, not the others
                result = UnitResult(file, "", None, 0.0, message=f"its dask worker died ({type(err).__name__}: {err})")
            results.append(result)
            (echo if result.ok else warn)(_unit_line(result, labels[file], root))
        return results, n_workers
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _unit_line(result: UnitResult, label: str, root: str) -> str:
    name = f"{label} (plan '{result.plan}')" if result.plan else label
    if result.ok:
        return f"{name}: pack written to {_rel(Path(result.pack), Path(root))} in {result.seconds:.0f} s"
    line = f"{name}: FAILED: {result.message}"
    if result.traceback:
        line += "\n" + result.traceback.rstrip()
    return line


def _rel(path: Path, root: Path) -> str:
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return str(path)
