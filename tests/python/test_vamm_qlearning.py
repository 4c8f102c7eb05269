"""The vAMM's operator as a Python agent (python/examples/vamm_operator.*):
it replaces netlists/vamm.toml's TOML operator, feeds the oracle and
settles funding every tick, its moves reach the contract, and tabular
Q-learning of its daily choice beats a random policy on protocol P&L."""

import sys
import unittest
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python" / "examples"))

import qtable  # noqa: E402  (python/examples/qtable.py)
import tokenspice  # noqa: E402
import vamm_operator  # noqa: E402  (python/examples/vamm_operator.py)
import vamm_qlearning  # noqa: E402  (python/examples/vamm_qlearning.py)


VIEWS = ("markPrice", "oraclePrice", "baseReserve", "quoteReserve")


class PythonOperator(unittest.TestCase):
    def test_the_included_operator_replaces_the_toml_one_and_repegs_past_its_threshold(self):
        sets = {"sim.duration": "10d", "sim.log_every": "1h"}
        python = tokenspice.run(vamm_operator.VAMM, set={**vamm_operator.PYTHON_OPERATOR, **sets}, seed=5, trace=True)
        toml = tokenspice.run(vamm_operator.VAMM, set=sets, seed=5)
        events = python.events
        counts = events.groupby("event").size()
        # Every tick: the oracle fed and one funding settlement, by the Python operator alone.
        self.assertEqual((counts["OracleSet"], counts["FundingSettled"]), (240, 240), counts)
        self.assertGreater(counts["Opened"], 0, counts)
        kpis = python.kpis.set_index("tick")
        # It fed the series the TOML operator feeds: the same oracle at every tick.
        self.assertEqual(kpis["vamm.oracle_price"].tolist(), toml.kpis["vamm.oracle_price"].tolist())
        self.assertEqual(kpis["agent.toml_operator.eth"].tolist(), [0.0] * 240)  # renamed, idle
        # Repegs: once a day at most, each past a 2% gap (new peg / old peg = oracle / mark then).
        repegs = events[events["event"] == "Repegged"]
        self.assertGreater(len(repegs), 0)
        self.assertTrue(all(tick % 24 == 0 for tick in repegs["tick"]), repegs)
        for fields in repegs["fields"]:
            values = dict(item.split("=") for item in fields.split("; "))
            mark_over_oracle = int(values["oldPeg"]) / int(values["newPeg"])
            self.assertGreater(abs(mark_over_oracle - 1.0), 0.02, fields)

    def test_a_repeg_puts_the_mark_on_the_oracle_and_a_depth_change_scales_the_reserves(self):
        seen = []  # (action, the series' oracle, views before, views after, its result) of each tick

        def probed(action):
            def act(world):
                before = [world.call("vamm", f) for f in VIEWS]
                done = action(world)
                after = [world.call("vamm", f) for f in VIEWS]
                seen.append((action.__name__, world.series("oracle"), before, after, done))
            return act

        env = vamm_operator.make_env(days=8, actions=[probed(a) for a in vamm_operator.ACTIONS])
        env.reset(seed=2)
        names, outcomes, levels = vamm_qlearning.ACTION_NAMES, [], []
        for name in ("repeg", "deepen", "deepen", "shallow", "shallow", "shallow", "repeg"):
            seen.clear()
            env.step(names.index(name))
            self.assertEqual([s[0] for s in seen], [name] + ["hold"] * 23)  # one decision, then a day of holds
            _, fed, (mark, _, x, y), (mark2, oracle2, x2, y2), done = seen[0]
            self.assertAlmostEqual(oracle2 / 1e18, fed, delta=fed * 1e-12)  # the oracle was fed the series
            if name == "repeg":
                outcomes.append(bool(done))
                self.assertGreater(abs(mark / oracle2 - 1.0), 1e-3)  # there was a gap to close
                if done:
                    self.assertAlmostEqual(mark2 / oracle2, 1.0, delta=1e-12)
                else:  # refused: it would cost more than half the fee pool
                    self.assertEqual(done.reason, "VAMM_COST_ABOVE_FEE_POOL_SHARE")
                    self.assertEqual(mark2, mark)
            elif done:
                ratio = (5, 4) if name == "deepen" else (4, 5)  # reserves x 1.25 or x 0.8
                self.assertEqual((x2, y2), (x * ratio[0] // ratio[1], y * ratio[0] // ratio[1]))
                self.assertAlmostEqual(mark2 / mark, 1.0, delta=1e-12)  # k changes, the mark stays
            else:  # past the deepest or shallowest level: nothing sent
                self.assertIs(done, False)
                self.assertEqual((x2, y2), (x, y))
            if name != "repeg":
                levels.append(round(x2 * y2 / vamm_operator.START_K, 4))  # trades keep k
        # k moves between 0.64, 1 and 1.5625 times its start, no further.
        self.assertEqual(levels, [1.5625, 1.5625, 1.0, 0.64, 0.64])
        # On this seed the first repeg is cheap and the last costs more than the fee pool allows.
        self.assertEqual(outcomes, [True, False])


class QLearning(unittest.TestCase):
    def test_q_learning_beats_random_and_never_repegging_on_protocol_pnl(self):
        env = vamm_operator.make_env(days=30)
        q = vamm_qlearning.train(env, episodes=40, seed=0)
        results = vamm_qlearning.compare(env, q, range(1, 9))
        mean = {name: np.mean(totals) for name, totals in results.items()}
        self.assertGreater(mean["learned"], mean["random"] + 2000.0, mean)
        self.assertGreater(mean["learned"], mean["never repeg"] + 2000.0, mean)
        # It repegs when the repeg moves the curve against the traders' net
        # position (it earns), and not when it would pay them.
        choose = qtable.greedy(q)
        repeg = vamm_qlearning.REPEG
        self.assertEqual([choose((1, 1)), choose((-1, -1))], [repeg, repeg], q)
        self.assertNotIn(repeg, [choose((-1, 1)), choose((1, -1))], q)


if __name__ == "__main__":
    unittest.main()
