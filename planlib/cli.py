"""The ``planlib`` command: merges its arguments and calls the Python API, nothing more.

A ``PlanlibError`` (bad params, bad data, a failed notebook) becomes one line on
stderr and exit code 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import sys

import click

from planlib import i18n
from planlib.errors import PlanlibError


@click.group()
@click.version_option(package_name="planlib")
def main() -> None:
    """planlib: the yearly sales-planning cycle in notebooks."""


@main.command()
@click.argument("params_path", type=click.Path(dir_okay=False))
@click.option("--params-only", is_flag=True, help="Check the params file alone, without reading the data files it names.")
def validate(params_path: str, params_only: bool) -> None:
    """Check a params file and the inputs it names (headers and dates only) without running the plan."""
    from planlib import paths
    from planlib.plan import load_plan
    from planlib.preflight import check_inputs

    with _one_line_errors():
        plan = load_plan(params_path)  # its own errors in the plan's language (planlib.plan.validate_plan)
        i18n.activate(plan.report.language, plan.report.unit)  # the inputs' errors and every line below too
        checked = [] if params_only else check_inputs(plan, paths.find_project_root())
    for line in checked:
        click.echo(f"  {line}")
    click.echo(i18n._("{path}: valid (plan '{plan}', plan year {year}, data to {end})").format(
        path=params_path, plan=plan.plan, year=plan.plan_year, end=plan.history_end))


@main.command()
@click.argument("params_paths", nargs=-1, required=True, type=click.Path())
@click.option("--period", default="", help="2025 for the annual plan (default: the plan year), 2025-Q2 for a quarterly pack.")
@click.option("--as-of", "as_of", default="", help="Last day of data to use (default: end of history or of the quarter).")
@click.option("--force", is_flag=True, help="Replace an existing pack of the same plan and period.")
@click.option("--all-periods", is_flag=True, help="The annual pack, then the four quarterly packs of the plan year (two at a time).")
@click.option("--group", default=None, help="Many units: the group plan's name, its pack reports/<group>/<period>/ (default: group).")
@click.option("--workers", type=click.IntRange(1, 256), default=None,
              help="Many units: worker processes of the local dask cluster (default: one per unit, at most one per core).")
@click.option("--scheduler", default=None, help="Many units: a running dask scheduler (tcp://host:8786) instead of a local cluster.")
def pack(params_paths: tuple[str, ...], period: str, as_of: str, force: bool, all_periods: bool,
         group: str | None, workers: int | None, scheduler: str | None) -> None:
    """Run the notebooks in order and write reports/<plan>/<period>/.

    Given several params files or a folder of them (business units), the units' packs run
    in parallel on dask.distributed, then a group plan consolidates them into
    reports/<group>/<period>/. Exit code 1 when a unit failed (the others still publish).
    """
    from planlib import paths
    from planlib.pack import run_pack, run_year

    with _one_line_errors():
        root = paths.find_project_root()
    # a params path is relative to the project root, as in run_pack
    many = (len(params_paths) > 1 or paths.resolve(params_paths[0], root).is_dir()
            or any(v is not None for v in (group, workers, scheduler)))
    if not many:
        with _one_line_errors():
            if all_periods:
                run_year(params_paths[0], force=force, echo=click.echo)
            else:
                run_pack(params_paths[0], period=period, as_of=as_of, force=force, echo=click.echo)
        return
    from planlib.group import run_many

    with _one_line_errors():
        if all_periods:
            raise PlanlibError("--all-periods packs one plan; for many units run the annual packs, then each --period")
        outcome = run_many(list(params_paths), group=group or "group", period=period, as_of=as_of, force=force,
                           workers=workers, scheduler=scheduler, echo=click.echo,
                           warn=lambda line: click.echo(line, err=True))
    click.echo(f"{len(outcome.units) - len(outcome.failed)} of {len(outcome.units)} unit pack(s) written "
               f"in {outcome.seconds:.0f} s on {outcome.workers} worker(s)")
    if not outcome.ok:
        sys.exit(1)


@main.command()
@click.argument("params_paths", nargs=-1, required=True, type=click.Path())
@click.option("--group", default="group", show_default=True, help="The group plan's name: reports/<group>/<period>/.")
@click.option("--period", default="", help="The plan year (default: the units' plan year).")
@click.option("--force", is_flag=True, help="Replace an existing group pack of the same period.")
def group(params_paths: tuple[str, ...], group: str, period: str, force: bool) -> None:
    """Write the group plan from the units' existing packs (params files or a folder), running none of them."""
    from planlib.group import consolidate_units

    with _one_line_errors():
        consolidate_units(list(params_paths), group=group, period=period, force=force, echo=click.echo)


@main.command()
@click.argument("old_pack", type=click.Path(file_okay=False, exists=True))
@click.argument("new_pack", type=click.Path(file_okay=False, exists=True))
@click.option("--out", type=click.Path(dir_okay=False), help="Also write every difference to this CSV file.")
def diff(old_pack: str, new_pack: str, out: str | None) -> None:
    """Compare the target tables of two packs (annual plan or a quarter's re-plan)."""
    from pathlib import Path

    from planlib.pack import diff_packs

    with _one_line_errors():
        summary, table = diff_packs(Path(old_pack), Path(new_pack))
    click.echo(summary)
    if len(table):
        click.echo(table.head(40).to_string(index=False))
    if out:
        table.to_csv(out, index=False)


class _one_line_errors:
    """Turn a PlanlibError into ``planlib: <message>`` and exit code 2."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, tb) -> bool:
        if error is not None and isinstance(error, PlanlibError):
            click.echo(f"planlib: {error}", err=True)
            sys.exit(2)
        return False


if __name__ == "__main__":  # pragma: no cover
    main()
