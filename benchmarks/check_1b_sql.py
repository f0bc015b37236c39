"""Spot-check bench_engines.py's 1B-event DuckDB run against plain DuckDB SQL on the raw Parquet files.

No polars run can hold 1B events on a 24 GB machine, so bench_engines.py cannot check that run's
outputs against polars. This script recomputes two of them independently, from the raw files: the
number of distinct users (the ledger's ``users``: the log has no null ids) and the last day's DAU per
persona (``active_users.parquet``), and prints both sides.

Usage::

    python benchmarks/check_1b_sql.py --data benchmarks/data/events_1000000000_seed0 \\
        --personas /tmp/stickiness-bench-engines/personas_1000000000_seed0.parquet \\
        --outputs /tmp/stickiness-bench-engines/outputs/duckdb_8GB_1000000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

import duckdb
import polars as pl


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="the log's Parquet folder")
    parser.add_argument("--personas", type=Path, required=True, help="the users table bench_engines.py wrote")
    parser.add_argument("--outputs", type=Path, required=True, help="the run's outputs folder")
    parser.add_argument("--memory-limit", default="6GB")
    args = parser.parse_args()
    start = time.perf_counter()
    con = duckdb.connect(config={"memory_limit": args.memory_limit})
    con.sql("SET TimeZone='UTC'")
    source = f"read_parquet('{args.data}/*.parquet')"
    users = con.sql(f"SELECT count(DISTINCT user_id) FROM {source}").fetchall()[0][0]
    kit = pl.read_parquet(args.outputs / "active_users.parquet")
    last: dt.date = kit.get_column("day").max()  # type: ignore[assignment]
    dau = con.sql(
        f"SELECT p.persona, count(DISTINCT e.user_id) FROM {source} e "
        f"JOIN read_parquet('{args.personas}') p USING (user_id) "
        f"WHERE CAST(e.timestamp AS DATE) = DATE '{last}' GROUP BY 1 ORDER BY 1"
    ).fetchall()
    kit_dau = kit.filter(pl.col("day") == last, pl.col("persona") != "(unknown)").sort("persona")
    ledger = json.loads((args.outputs / "ledger.json").read_text())
    print(f"distinct users: SQL {users:,}, kit ledger {ledger['users']:,}")
    print(f"DAU on {last}: SQL {dau}")
    print(f"DAU on {last}: kit {kit_dau.select('persona', 'dau').rows()}")
    equal = users == ledger["users"] and dau == kit_dau.select("persona", "dau").rows()
    print(f"{'equal' if equal else 'DIFFERENT'} ({time.perf_counter() - start:.0f} s)")
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())
