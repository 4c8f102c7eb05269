"""The long KPI table as a token engineer loads it: pandas and polars read
tsp run's kpis.parquet/ as numbers, and pivoting it gives kpis.csv back,
every cell that has a value equal and every other one empty."""

import math
import tempfile
import unittest
from pathlib import Path

import pandas as pd
import polars as pl

from helpers import ROOT, tsp  # noqa: E402  (tests/python/helpers.py)


class LongTable(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = tempfile.TemporaryDirectory()
        cls.out = Path(cls.scratch.name) / "run"
        tsp("run", "netlists/ocean_v3.toml", "--set", 'sim.duration="60d"', "--kpis-format", "both",
            "--no-charts", "--quiet", "--out", str(cls.out))

    @classmethod
    def tearDownClass(cls):
        cls.scratch.cleanup()

    def test_pandas_reads_numbers_and_the_pivot_is_kpis_csv(self):
        long = pd.read_parquet(self.out / "kpis.parquet")
        self.assertEqual(list(long.columns), ["tick", "time_s", "kpi", "value"])
        self.assertTrue(pd.api.types.is_integer_dtype(long["tick"]))
        self.assertTrue(pd.api.types.is_float_dtype(long["value"]))
        self.assertFalse(long["value"].isna().any())
        wide = pd.read_csv(self.out / "kpis.csv").set_index("tick").drop(columns="time_s")
        pivot = long.pivot(index="tick", columns="kpi", values="value")
        self.assertEqual(list(pivot.index), list(wide.index))
        self.assertEqual(wide.notna().sum().sum(), len(long))
        for column in pivot.columns:
            for a, b in zip(pivot[column], wide[column]):
                self.assertTrue(a == b or (math.isnan(a) and math.isnan(b)), column)

    def test_polars_reads_the_same_rows(self):
        long = pl.read_parquet(str(self.out / "kpis.parquet" / "*.parquet"))
        self.assertEqual(long.columns, ["tick", "time_s", "kpi", "value"])
        self.assertEqual(len(long), len(pd.read_parquet(self.out / "kpis.parquet")))
        self.assertEqual(long["value"].dtype, pl.Float64)



class PackageReadsEitherTable(unittest.TestCase):
    """tokenspice.run(...).kpis is the same DataFrame whether the run wrote kpis.csv or only the long table."""

    def test_a_long_only_run_gives_the_wide_frame_and_the_same_long_table(self):
        import tokenspice

        netlist = ROOT / "netlists" / "ocean_v3.toml"
        with tempfile.TemporaryDirectory() as scratch:
            wide = tokenspice.run(netlist, set={"sim.duration": "30d"}, out=Path(scratch) / "wide")
            long_only = {"sim.duration": "30d", "sim.kpis": "long"}
            long = tokenspice.run(netlist, set=long_only, out=Path(scratch) / "long")
            self.assertFalse((long.out / "kpis.csv").exists())
            self.assertTrue((long.out / "kpis.parquet").is_dir())
            self.assertEqual(list(long.kpis.columns), list(wide.kpis.columns))
            pd.testing.assert_frame_equal(long.kpis, wide.kpis, check_dtype=False)
            from_csv, from_parquet = wide.kpis_long, long.kpis_long
            self.assertEqual(len(from_csv), len(from_parquet))
            self.assertEqual(list(from_csv["kpi"]), list(from_parquet["kpi"]))
            self.assertEqual(list(from_csv["value"]), list(from_parquet["value"]))
            self.assertEqual(long.kpis_polars().shape, wide.kpis_polars().shape)


if __name__ == "__main__":
    unittest.main()
