"""The study tables as a token engineer loads them: pandas and polars read
tsp sweep's and tsp compare's tables as numbers, CSV and Parquet agree, and
the summary's final values are the tidy table's last rows."""

import math
import os
import subprocess
import tempfile
import unittest
from pathlib import Path

import pandas as pd
import polars as pl

from helpers import ROOT, TSP, tsp  # noqa: E402  (tests/python/helpers.py)


class SweepTables(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = tempfile.TemporaryDirectory()
        cls.out = Path(cls.scratch.name) / "sweep"
        tsp("sweep", "netlists/ocean_v3.toml", "netlists/ocean_v41.toml",
            "--factor", "agent.publisher.swap_fee=0.001,0.01", "--seeds", "2",
            "--set", 'sim.duration="20d"', "--no-charts", "--quiet", "--out", str(cls.out))

    @classmethod
    def tearDownClass(cls):
        cls.scratch.cleanup()

    def test_parquet_columns_are_numbers_and_match_the_csv(self):
        for name in ("summary", "tidy"):
            parquet = pd.read_parquet(self.out / f"{name}.parquet")
            csv = pd.read_csv(self.out / f"{name}.csv")
            self.assertEqual(list(parquet.columns), list(csv.columns))
            for column in ("run", "point", "seed"):
                self.assertTrue(pd.api.types.is_integer_dtype(parquet[column]), column)
            self.assertTrue(pd.api.types.is_float_dtype(parquet["agent.publisher.swap_fee"]))
            for column in parquet.select_dtypes("number").columns:
                a, b = parquet[column].to_numpy(float), csv[column].to_numpy(float)
                self.assertTrue(all(x == y or (math.isnan(x) and math.isnan(y)) for x, y in zip(a, b)), column)
        summary = pd.read_parquet(self.out / "summary.parquet")
        self.assertEqual(len(summary), 8)
        self.assertEqual(sorted(summary["design"].unique()), ["ocean_v3", "ocean_v41"])
        self.assertTrue((summary["status"] == "ok").all())
        for column in [c for c in summary.columns if c.startswith("criteria.")]:
            self.assertTrue(pd.api.types.is_float_dtype(summary[column]), column)

    def test_summary_holds_the_last_tidy_row_of_every_run(self):
        tidy = pl.read_parquet(self.out / "tidy.parquet")
        summary = pl.read_parquet(self.out / "summary.parquet")
        last = tidy.filter(pl.col("tick") == pl.col("tick").max().over("run"))
        wide = last.pivot(on="kpi", index="run", values="value").sort("run")
        for column in ("criteria.rug_staker_loss_pct", "global.swap_volume_ocean"):
            self.assertEqual(wide[column].to_list(), summary.sort("run")[column].to_list(), column)

    def test_effects_are_group_means_of_the_summary(self):
        summary = pd.read_parquet(self.out / "summary.parquet")
        effects = pd.read_csv(self.out / "effects.csv")
        kpi = "criteria.opening_spike"
        means = summary.groupby(["design", "agent.publisher.swap_fee"])[kpi].mean()
        rows = effects[effects["kpi"] == kpi]
        self.assertEqual(len(rows), 4)
        for _, row in rows.iterrows():
            self.assertAlmostEqual(row["mean"], means[(row["design"], row["value"])], places=9)


class CompareTables(unittest.TestCase):
    def test_criteria_are_numbers_with_interval_verdicts(self):
        with tempfile.TemporaryDirectory() as scratch:
            out = Path(scratch) / "cmp"
            tsp("compare", "--seeds", "3", "--set", 'sim.duration="20d"', "--out", str(out),
                "netlists/ocean_v3.toml", "netlists/ocean_v4.toml")
            criteria = pd.read_csv(out / "criteria.csv")
            judged = criteria[criteria["rule"] != "reported"]
            self.assertEqual(len(judged), 2 * 7)
            for column in ("threshold", "mean", "half_width", "lo", "hi"):
                self.assertTrue(pd.api.types.is_float_dtype(judged[column]), column)
            self.assertTrue((judged["n"] == 3).all())
            self.assertTrue(set(judged["verdict"]) <= {"pass", "FAIL", "inconclusive"})
            at_most = judged["rule"] == "at_most"
            passes = (judged["hi"] <= judged["threshold"]).where(at_most, judged["lo"] >= judged["threshold"])
            fails = (judged["lo"] > judged["threshold"]).where(at_most, judged["hi"] < judged["threshold"])
            expected = passes.map({True: "pass"}).fillna(fails.map({True: "FAIL", False: "inconclusive"}))
            self.assertEqual(list(judged["verdict"]), list(expected))
            seeds = pd.read_csv(out / "criteria_seeds.csv")
            per_seed = seeds.groupby(["criterion", "design"])["value"].mean()
            for _, row in judged.iterrows():
                self.assertAlmostEqual(row["mean"], per_seed[(row["criterion"], row["design"])], places=9)


if __name__ == "__main__":
    unittest.main()
