"""The titles of the habits-over-time charts: how the habit mix moved, who changed band (docs/habits-over-time.md)."""

from __future__ import annotations

import polars as pl

from stickiness.findings._model import FindingOptions, Headline, as_date, named, percent, segment_of
from stickiness.options import BANDS

__all__ = ["HABIT", "band_migration_headline", "habit_mix_headline", "habit_shares"]

#: The bands a title counts as a habit: at least weekly.
HABIT: tuple[str, ...] = ("daily", "weekly")


def habit_shares(mix: pl.DataFrame, segment: str | None) -> pl.DataFrame:
    """``[segment,] use_case, first, last, habit_first, habit_last, change``: the at-least-weekly share of adopters.

    From the first and the last period end of :func:`~stickiness.habit_mix` (evaluable adopters at
    both), sorted by the size of the change, the largest first.

    >>> import datetime as dt
    >>> ends = [dt.date(2024, 1, 31)] * 2 + [dt.date(2024, 2, 29)] * 2
    >>> mix = pl.DataFrame({"use_case": ["x"] * 4, "period_end": ends,
    ...     "band": ["weekly", "monthly"] * 2, "users": [1, 3, 2, 2], "evaluable": [4, 4, 4, 4]})
    >>> habit_shares(mix, None).select("habit_first", "habit_last").rows()
    [(0.25, 0.5)]
    """
    keys = [*([segment] if segment else []), "use_case"]
    first, last = mix.get_column("period_end").min(), mix.get_column("period_end").max()
    habit = (
        mix.filter(pl.col("period_end").is_in([first, last]) & (pl.col("evaluable") > 0))
        .group_by(*keys, "period_end")
        .agg((pl.col("users").filter(pl.col("band").is_in(HABIT)).sum() / pl.col("evaluable").first()).alias("habit"))
    )
    at = {
        name: habit.filter(pl.col("period_end") == day).select(*keys, pl.col("habit").alias(f"habit_{name}"))
        for name, day in (("first", first), ("last", last))
    }
    return (
        at["first"]
        .join(at["last"], on=keys, how="inner")
        .with_columns(first=pl.lit(first), last=pl.lit(last), change=pl.col("habit_last") - pl.col("habit_first"))
        .sort(pl.col("change").abs(), *keys, descending=[True, *[False] * len(keys)])
        .select(*keys, "first", "last", "habit_first", "habit_last", "change")
    )


def _segment(table: pl.DataFrame, by: str | None) -> str | None:
    """Return the segment column: ``by``, else the first column unless it is one of the metric's own."""
    found = by if by is not None else segment_of(table)
    return None if found in ("use_case", "period_end", "from_band") else found


def _among(row: dict[str, object], segment: str | None) -> str:
    return "" if segment is None or row[segment] in (None, "(all)") else f" among {row[segment]}"


def habit_mix_headline(mix: pl.DataFrame, by: str | None, options: FindingOptions) -> Headline:
    """Word the largest move of the at-least-weekly share of adopters between the first and last period end.

    Examples
    --------
    >>> import datetime as dt
    >>> mix = pl.DataFrame({"persona": ["analyst"] * 4, "use_case": ["search"] * 4,
    ...     "period_end": [dt.date(2024, 1, 31)] * 2 + [dt.date(2024, 2, 29)] * 2,
    ...     "band": ["weekly", "monthly"] * 2, "users": [31, 69, 38, 62], "evaluable": [100] * 4})
    >>> habit_mix_headline(mix, "persona", FindingOptions()).text
    'At-least-weekly users of search rose from 31.0% to 38.0% of adopters among analyst (2024-01-31 to 2024-02-29)'
    """
    units = options.units  # the mix carries its own period ends
    segment = _segment(mix, by)
    note = "Shares of the evaluable adopters in each band at each period end; at least weekly: daily or weekly."
    shares = habit_shares(mix, segment)
    if shares.is_empty():
        return Headline("Habit mix: no evaluable adopters at the first and last period end", note)
    row = shares.row(0, named=True)
    first, last = as_date(row["first"]), as_date(row["last"])
    among = _among(row, segment)
    if first == last:
        share = percent(row["habit_last"])
        text = f"At-least-weekly {units} of {row['use_case']}: {share} of adopters{among} on {last}"
        return Headline(text, note, named(segment, row))
    verb = "rose" if row["change"] > 0 else "fell" if row["change"] < 0 else "stayed"
    move = (
        f"{verb} from {percent(row['habit_first'])} to {percent(row['habit_last'])}"
        if verb != "stayed"
        else (f"stayed at {percent(row['habit_last'])}")
    )
    text = f"At-least-weekly {units} of {row['use_case']} {move} of adopters{among} ({first} to {last})"
    return Headline(text, note, named(segment, row))


def band_migration_headline(moves: pl.DataFrame, by: str | None, options: FindingOptions) -> Headline:
    """Word who moved to a more or a less frequent band, who stayed, and the new and gone users (every segment).

    Examples
    --------
    >>> moves = pl.DataFrame({"use_case": ["search"] * 4, "from_band": ["weekly", "daily", "new", "monthly"],
    ...     "to_band": ["daily", "weekly", "monthly", "monthly"], "users": [3, 5, 2, 10]})
    >>> band_migration_headline(moves, None, FindingOptions()).text
    'Of 18 users of search in a band before: 3 now use it more often, 5 less often; 2 new, 0 gone'
    """
    del by  # every segment together, as the matrix's totals
    rank = {band: position for position, band in enumerate(BANDS)}
    table = moves.with_columns(
        pl.col("from_band").replace_strict(rank, default=None, return_dtype=pl.Int64).alias("__from"),
        pl.col("to_band").replace_strict(rank, default=None, return_dtype=pl.Int64).alias("__to"),
    )
    users = pl.col("users")
    totals = table.select(
        before=users.filter(pl.col("__from").is_not_null()).sum(),
        up=users.filter(pl.col("__to") < pl.col("__from")).sum(),
        down=users.filter(pl.col("__to") > pl.col("__from")).sum(),
        new=users.filter(pl.col("from_band") == "new").sum(),
        gone=users.filter(pl.col("to_band") == "gone").sum(),
    ).row(0, named=True)
    use_cases = moves.get_column("use_case").unique().sort().to_list()
    what = (
        f"{options.units} of {use_cases[0]}"
        if len(use_cases) == 1
        else f"{options.unit} x use case pairs ({len(use_cases)} use cases)"
    )
    note = "Bands on the earlier and the later day; new: no evaluable adopter before, gone: none now."
    text = (
        f"Of {totals['before']:,} {what} in a band before: {totals['up']:,} now use it more often, "
        f"{totals['down']:,} less often; {totals['new']:,} new, {totals['gone']:,} gone"
    )
    return Headline(text, note)
