"""The ``planlib`` command: merges its arguments and calls the Python API, nothing more.

A ``PlanlibError`` (bad params, bad data, a failed notebook) becomes one line on
stderr and exit code 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import sys

import click

from planlib.errors import PlanlibError


@click.group()
@click.version_option(package_name="planlib")
def main() -> None:
    """planlib: the yearly sales-planning cycle in notebooks."""


@main.command()
@click.argument("params_path", type=click.Path(dir_okay=False))
def validate(params_path: str) -> None:
    """Check a params file without running anything."""
    from planlib.plan import load_plan

    with _one_line_errors():
        plan = load_plan(params_path)
    click.echo(f"{params_path}: valid (plan '{plan.plan}', plan year {plan.plan_year}, data to {plan.history_end})")


@main.command()
@click.argument("params_path", type=click.Path(dir_okay=False))
@click.option("--period", default="", help="2025 for the annual plan (default: the plan year), 2025-Q2 for a quarterly pack.")
@click.option("--as-of", "as_of", default="", help="Last day of data to use (default: end of history or of the quarter).")
@click.option("--force", is_flag=True, help="Replace an existing pack of the same plan and period.")
def pack(params_path: str, period: str, as_of: str, force: bool) -> None:
    """Run the notebooks in order and write reports/<plan>/<period>/."""
    from planlib.pack import run_pack

    with _one_line_errors():
        run_pack(params_path, period=period, as_of=as_of, force=force, echo=click.echo)


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
