"""The Python package: run() gives tsp run's bytes, Python agents give the
KPIs of the same agent in TOML, errors name the agent and tick, sweep() and
compare() return the tables as DataFrames."""

import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import pandas as pd

import tokenspice

from helpers import ROOT, TSP, tsp  # noqa: E402  (tests/python/helpers.py)
EXAMPLES = ROOT / "python" / "examples"
MARKET = EXAMPLES / "curve_market.toml"


class Idle(tokenspice.Agent):
    """Holds its cash: a class handed to run(agents=...)."""

    def step(self, world):
        pass


class Faulty(tokenspice.Agent):
    def step(self, world):
        if world.tick == 5:
            raise ZeroDivisionError("planted failure at tick 5")


class Keeper(tokenspice.Agent):
    kept = None

    def step(self, world):
        Keeper.kept = world


class Watcher(tokenspice.Agent):
    """Records the curve's Bought events it sees, step by step."""

    seen = []

    def step(self, world):
        Watcher.seen.extend(world.events("curve", "Bought"))


class RunMatchesTsp(unittest.TestCase):
    def setUp(self):
        self.scratch = tempfile.TemporaryDirectory()
        self.dir = Path(self.scratch.name)

    def tearDown(self):
        self.scratch.cleanup()

    def test_run_gives_the_bytes_of_tsp_run(self):
        out = self.dir / "tsp"
        tsp("run", "netlists/ocean_v3.toml", "--set", 'sim.duration="30d"', "--set", "sim.seed=3",
            "--no-charts", "--out", str(out))
        run = tokenspice.run(ROOT / "netlists" / "ocean_v3.toml", set={"sim.duration": "30d"}, seed=3,
                             out=self.dir / "py")
        self.assertEqual(run.kpis_csv, (out / "kpis.csv").read_text())
        expected = pd.read_csv(out / "kpis.csv")
        pd.testing.assert_frame_equal(run.kpis, expected)
        self.assertEqual(run.kpis.shape, (31, expected.shape[1]))
        self.assertGreater(run.kpis["global.pools"].iloc[-1], 0)
        self.assertEqual(run.manifest["seed"], 3)
        self.assertEqual(run.manifest["status"], "finished")

    def test_trace_is_a_dataframe_of_every_transaction(self):
        run = tokenspice.run(MARKET, set={"sim.duration": "10d"}, trace=True)
        self.assertGreater(len(run.trace), 10)
        self.assertIn("curve", set(run.trace.astype(str).stack()))

    def test_an_existing_folder_with_results_is_refused(self):
        (self.dir / "kept.txt").write_text("earlier results")
        with self.assertRaisesRegex(FileExistsError, "not empty"):
            tokenspice.run(MARKET, out=self.dir)
        self.assertEqual((self.dir / "kept.txt").read_text(), "earlier results")


class PythonAgents(unittest.TestCase):
    def test_a_python_agent_gives_the_kpis_of_the_same_agent_in_toml(self):
        python = tokenspice.run(MARKET)
        toml = tokenspice.run(MARKET, set={"include": ["trader_toml.toml"]})
        self.assertEqual(python.kpis_csv, toml.kpis_csv)
        cash = python.kpis["agent.trader.usd"]
        # The dip buyer traded: its cash moved both ways.
        self.assertTrue((cash.diff() < 0).any() and (cash.diff() > 0).any(), cash.tolist())

    def test_same_seed_same_bytes_and_another_seed_differs(self):
        first = tokenspice.run(MARKET, seed=5)
        self.assertEqual(first.kpis_csv, tokenspice.run(MARKET, seed=5).kpis_csv)
        self.assertNotEqual(first.kpis_csv, tokenspice.run(MARKET, seed=6).kpis_csv)

    def test_events_are_seen_once_each_decoded_as_the_trace_has_them(self):
        Watcher.seen = []
        run = tokenspice.run(MARKET, set={"sim.duration": "20d"}, agents={"trader": Watcher}, trace=True)
        events = run.events
        bought = events[(events["event"] == "Bought")]
        last = run.manifest["ticks"] - 1
        before_last = bought[bought["tick"] < last]
        seen = [e for e in Watcher.seen if e["tick"] < last]
        self.assertGreater(len(seen), 5)
        self.assertEqual([e["tick"] for e in seen], before_last["tick"].tolist())
        self.assertTrue(all(e["contract"] == "curve" and e["event"] == "Bought" for e in seen))
        self.assertTrue(all(isinstance(e["tokensOut"], int) and e["tokensOut"] > 0 for e in seen))
        self.assertTrue(all(e["buyer"].startswith("0x") for e in seen))

    def test_a_class_handed_to_run_replaces_the_netlists(self):
        idle = tokenspice.run(MARKET, agents={"trader": Idle})
        self.assertTrue((idle.kpis["agent.trader.usd"] == 5000).all())
        self.assertNotEqual(idle.kpis_csv, tokenspice.run(MARKET).kpis_csv)

    def test_a_failing_step_names_the_agent_the_tick_and_the_python_line(self):
        with self.assertRaises(RuntimeError) as caught:
            tokenspice.run(MARKET, agents={"trader": Faulty})
        message = str(caught.exception)
        for part in ("agent trader", "tick 5", "ZeroDivisionError", "planted failure", "test_package.py"):
            self.assertIn(part, message)

    def test_a_missing_class_file_is_refused_before_the_run(self):
        with self.assertRaises(RuntimeError) as caught:
            tokenspice.check(MARKET, set={"agent.trader.class": "nowhere.py:DipBuyer"})
        self.assertIn("trader", str(caught.exception))
        self.assertIn("nowhere.py", str(caught.exception))

    def test_a_world_kept_after_its_step_refuses_to_act(self):
        tokenspice.run(MARKET, set={"sim.duration": "2d"}, agents={"trader": Keeper})
        with self.assertRaisesRegex(RuntimeError, "step that has ended"):
            Keeper.kept.balance("usd")

    def test_tsp_refuses_python_agents_and_says_how_to_run_them(self):
        done = subprocess.run([TSP, "check", str(MARKET)], cwd=ROOT, capture_output=True, text=True)
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("python -m tokenspice run", done.stderr)
        self.assertIn("trader_python.toml", done.stderr)

    def test_python_m_tokenspice_runs_the_netlist(self):
        with tempfile.TemporaryDirectory() as scratch:
            out = Path(scratch) / "run"
            done = subprocess.run([sys.executable, "-m", "tokenspice", "run", str(MARKET), "--no-charts", "--out", str(out)],
                                  cwd=ROOT, capture_output=True, text=True)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual((out / "kpis.csv").read_text(), tokenspice.run(MARKET).kpis_csv)


class Bench(unittest.TestCase):
    def test_the_bench_prints_the_python_agents_overhead(self):
        import contextlib
        import io

        import tokenspice.bench

        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            status = tokenspice.bench.main(["--netlist", str(MARKET), "--duration", "5d", "--repeats", "1"])
        self.assertEqual(status, 0)
        self.assertIn("Python agent overhead per step", printed.getvalue())
        self.assertIn("20 ticks", printed.getvalue())


class Studies(unittest.TestCase):
    def test_sweep_with_python_agents_is_the_same_on_one_or_two_workers(self):
        factors = {"agent.trader.params.dip_pct": [2, 5]}
        one = tokenspice.sweep(MARKET, factors=factors, seeds=2, set={"sim.duration": "20d"}, jobs=1)
        two = tokenspice.sweep(MARKET, factors=factors, seeds=2, set={"sim.duration": "20d"}, jobs=2)
        pd.testing.assert_frame_equal(one, two)
        self.assertEqual(sorted(one["seed"].unique()), [1, 2])
        self.assertIn("curve.spot_price", set(one["kpi"]))
        summary = tokenspice.sweep(MARKET, factors=factors, seeds=2, set={"sim.duration": "20d"}, tidy=False)
        self.assertEqual(len(summary), 4)

    def test_compare_returns_the_criteria_table(self):
        table = tokenspice.compare([ROOT / "netlists" / "ocean_v3.toml", ROOT / "netlists" / "ocean_v41.toml"],
                                   seeds=2, set={"sim.duration": "20d"})
        self.assertGreater(len(table), 3)
        self.assertTrue({"mean", "verdict"} <= set(table.columns), table.columns)


if __name__ == "__main__":
    unittest.main()
