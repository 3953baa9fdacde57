"""Order lines beyond memory: a partitioned Parquet dataset aggregated by DuckDB into the plan's frames.

Usage: python benchmarks/lines_beyond_memory.py [--lines 100000000] [--chunk 4000000] [--folder DIR]
                                                [--memory-limit 4GB] [--keep]

Two steps, each in its own process so each has its own peak memory:

1. write: the demo company's lines, ``--chunk`` lines at a time (never the whole
   table in memory), as a Parquet dataset partitioned by year
   (``<folder>/lines/year=2021/part-000-0.parquet``...). Chunk k is division k of a
   large company: the demo generator with seed 7 + k, its order and customer ids
   prefixed ``D<k>-`` so ids stay distinct across chunks.
2. aggregate: DuckDB reads the dataset (only the columns each query needs) and writes
   the frames the plan lives on (issue 17 point 1) to ``<folder>/frames/``:
   ``months`` (revenue, lines, first and last day per month), ``daily`` (revenue per
   day: the completeness check's daily pattern), ``segment_months`` (revenue, lines,
   orders, customers per month for the total and every forecast level of
   params/demo.yaml), ``rep_book`` (rep x region x month) and ``customer_book``
   (customer x year: revenue, orders, first and last order).
   DuckDB keeps to ``--memory-limit`` and spills to ``<folder>/spill``.

Prints wall time and peak RSS of each step and stops (exit 1) if a step's peak is
8 GB or more. A benchmark, not a test: the planlib pack itself still reads a source
into memory (``data.path`` names one file).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LIMIT_MB = 8 * 1024
LEVELS = (("product_line",), ("region",), ("channel",), ("product_line", "region"))  # params/demo.yaml forecast.levels
ID_COLUMNS = ("order_id", "customer_id")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_lines(folder: Path, n_lines: int, chunk: int) -> dict:
    """Write ``n_lines`` demo lines to ``folder/lines`` in chunks of ``chunk`` lines."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    from planlib import demo

    target = folder / "lines"
    if target.exists():
        shutil.rmtree(target)
    written, k = 0, 0
    while n_lines - written >= demo.MIN_LINES:  # the generator gives about the lines asked, within a few percent
        size = min(chunk, n_lines - written)
        frame = demo.generate_demo_orders(size, seed=7 + k)
        for name in ID_COLUMNS:  # division k: its own order and customer ids
            frame[name] = frame[name].cat.rename_categories(lambda value, k=k: f"D{k:03d}-{value}")
        frame["year"] = frame["order_date"].dt.year.astype("int16")
        table = pa.Table.from_pandas(frame, preserve_index=False)
        del frame
        ds.write_dataset(
            table, target, format="parquet", partitioning=["year"], partitioning_flavor="hive",
            basename_template=f"part-{k:03d}-{{i}}.parquet", existing_data_behavior="overwrite_or_ignore",
        )
        written += table.num_rows
        del table
        k += 1
        print(f"  chunk {k}: {written:,} lines written, peak {_peak_mb():,.0f} MB", file=sys.stderr, flush=True)
    size_mb = sum(f.stat().st_size for f in target.rglob("*.parquet")) / 2**20
    return {"lines": written, "chunks": k, "dataset_mb": round(size_mb)}


def aggregate_lines(folder: Path, memory_limit: str, threads: int) -> dict:
    """The plan's aggregated frames from ``folder/lines``, written to ``folder/frames``."""
    import duckdb

    frames = folder / "frames"
    frames.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET threads = {int(threads)}")
    con.execute(f"SET temp_directory = '{folder / 'spill'}'")
    con.execute("SET preserve_insertion_order = false")
    con.execute(
        f"CREATE VIEW lines AS SELECT * FROM read_parquet('{folder / 'lines'}/**/*.parquet', hive_partitioning = true)"
    )
    month = "date_trunc('month', order_date)::DATE"
    queries = {
        "months": f"""SELECT {month} AS month, sum(revenue) AS revenue, count(*) AS lines,
                             min(order_date) AS first_day, max(order_date) AS last_day
                      FROM lines GROUP BY ALL ORDER BY month""",
        "daily": "SELECT order_date, sum(revenue) AS revenue FROM lines GROUP BY ALL ORDER BY order_date",
        "rep_book": f"""SELECT rep, region, {month} AS month, sum(revenue) AS revenue, count(*) AS lines,
                               count(DISTINCT order_id) AS orders, count(DISTINCT customer_id) AS customers
                        FROM lines GROUP BY ALL ORDER BY rep, region, month""",
        "customer_book": """SELECT customer_id, year, sum(revenue) AS revenue, count(DISTINCT order_id) AS orders,
                                   min(order_date) AS first_order, max(order_date) AS last_order
                            FROM lines GROUP BY ALL ORDER BY customer_id, year""",
    }
    segment_parts = []
    for level in ((), *LEVELS):
        dims = ", ".join(level)
        label = " || '|' || ".join(f"'{d}=' || {d}" for d in level) if level else "'Total'"
        segment_parts.append(
            f"""SELECT {label} AS unique_id, {month} AS month, sum(revenue) AS revenue, count(*) AS lines,
                       count(DISTINCT order_id) AS orders, count(DISTINCT customer_id) AS customers
                FROM lines GROUP BY {month}{', ' + dims if dims else ''}"""
        )
    queries["segment_months"] = " UNION ALL ".join(f"({q})" for q in segment_parts) + " ORDER BY unique_id, month"
    seconds, rows = {}, {}
    for name, query in queries.items():
        begin = time.perf_counter()
        target = frames / f"{name}.parquet"
        con.execute(f"COPY ({query}) TO '{target}' (FORMAT parquet)")
        seconds[name] = round(time.perf_counter() - begin, 1)
        rows[name] = con.execute(f"SELECT count(*) FROM read_parquet('{target}')").fetchone()[0]
        print(f"  {name}: {rows[name]:,} rows in {seconds[name]} s, peak {_peak_mb():,.0f} MB", file=sys.stderr, flush=True)
    total = con.execute("SELECT sum(revenue), count(*) FROM lines").fetchone()
    check = con.execute(f"SELECT sum(revenue), sum(lines) FROM read_parquet('{frames / 'months.parquet'}')").fetchone()
    if check[1] != total[1] or abs(check[0] - total[0]) > 1e-6 * abs(total[0]):
        raise SystemExit(f"months do not add up to the lines: {check} against {total}")
    return {"seconds_by_frame": seconds, "rows": rows, "lines": total[1]}


def _step(args: list[str]) -> dict:
    begin = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True, check=True)
    result = json.loads(out.stdout)
    result["seconds"] = round(time.perf_counter() - begin, 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000_000)
    parser.add_argument("--chunk", type=int, default=4_000_000, help="lines generated and written at a time")
    parser.add_argument("--folder", type=Path, help="where the dataset goes (default: a temporary folder, removed)")
    parser.add_argument("--memory-limit", default="4GB", help="DuckDB's memory limit")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the dataset and frames")
    parser.add_argument("--step", choices=["write", "aggregate"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == "write":
        print(json.dumps({**write_lines(args.folder, args.lines, args.chunk), "peak_mb": round(_peak_mb())}))
        return
    if args.step == "aggregate":
        print(json.dumps({**aggregate_lines(args.folder, args.memory_limit, args.threads), "peak_mb": round(_peak_mb())}))
        return
    folder = args.folder or Path(tempfile.mkdtemp(prefix="planlib-lines-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        common = ["--folder", str(folder), "--lines", str(args.lines), "--chunk", str(args.chunk),
                  "--memory-limit", args.memory_limit, "--threads", str(args.threads)]
        wrote = _step([*common, "--step", "write"])
        print(f"write:     {wrote['lines']:>12,} lines in {wrote['chunks']} chunks, {wrote['dataset_mb']:,} MB on disk, "
              f"{wrote['seconds']} s, peak RSS {wrote['peak_mb']:,} MB")
        agg = _step([*common, "--step", "aggregate"])
        per = ", ".join(f"{k}: {v}" for k, v in agg["seconds_by_frame"].items())
        print(f"aggregate: {agg['lines']:>12,} lines in {agg['seconds']} s ({per}), peak RSS {agg['peak_mb']:,} MB")
        print(f"frames:    {', '.join(f'{k} {v:,} rows' for k, v in agg['rows'].items())}")
        peak = max(wrote["peak_mb"], agg["peak_mb"])
        if peak >= LIMIT_MB:
            raise SystemExit(f"peak RSS {peak:,} MB is not below {LIMIT_MB:,} MB")
        print(f"peak RSS {peak:,} MB < {LIMIT_MB:,} MB: ok")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
