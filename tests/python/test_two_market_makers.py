"""netlists/two_market_makers.toml against an independent re-implementation,
in numpy, of the two-market-maker game's value iteration (the choices stated
in docs/models.md, "Two market makers"): the stake and fee paths, the running
gains and the values of the game at every step match, from the notebook's
starting point and from others (--set), and a one-step game matches a stage
worked out by hand.

Run: TSP=target/release/tsp .venv/bin/python -m unittest tests/python/test_two_market_makers.py
(or with the others: -m unittest discover -s tests/python).
"""

import csv
import math
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # helpers.py, also when run by path
from helpers import tsp  # noqa: E402

NETLIST = "netlists/two_market_makers.toml"
ORDER = (0, -1, 1)  # moves, in the order that breaks ties
TOL = 1e-9

NOTEBOOK = dict(n_max=20000.0, gamma=0.1, sigma=0.1, lam=0.1, r=0.02, r_risk=0.01, m=3.0, T=1.0,
                steps=5, n_s=15, n_f=15, s_max=120.0)


class Game:
    """The game on its grid, solved by backward induction over numpy arrays."""

    def __init__(self, **overrides):
        self.p = dict(NOTEBOOK, **overrides)
        p = self.p
        self.dt = p["T"] / p["steps"]
        self.s_grid = np.linspace(0.0, p["s_max"], p["n_s"])
        self.f_grid = np.linspace(0.0, 1.0, p["n_f"])
        s0, s1, f = np.meshgrid(self.s_grid, self.s_grid, self.f_grid, indexing="ij")
        self.grid = (s0, s1, f)
        shape = (p["n_s"], p["n_s"], p["n_f"])
        self.V = [None] * (p["steps"] + 1)
        self.V[p["steps"]] = np.zeros((2,) + shape)
        for k in reversed(range(p["steps"])):
            u = self.payoffs(k, self.grid)  # (3, 3, 2) + grid shape
            V = np.empty((2,) + shape)
            for idx in np.ndindex(*shape):
                V[(slice(None),) + idx] = solve_stage(u[(Ellipsis,) + idx])[1]
            self.V[k] = V

    # the formulas
    def volumes(self, s0, s1, f):
        total = s0 + s1
        fee_resp = 1.0 / (np.clip(f, 0, 1) + 0.001) - np.clip(f, 0, 1)
        stake_resp = 1.0 / (1.0 + np.exp(-0.05 * total + 2.0)) - 1.0 / (1.0 + math.exp(2.0))
        market = self.p["n_max"] * fee_resp * stake_resp
        safe = np.where(total > 0, total, 1.0)
        return (np.where(total > 0, s0 / safe * market, 0.0), np.where(total > 0, s1 / safe * market, 0.0))

    def gains(self, t, s0, s1, f):
        p = self.p
        vols = self.volumes(s0, s1, f)
        return [math.exp(-p["r"] * t) * (f * vol - p["lam"] * p["sigma"] * s) - math.exp(p["r_risk"] * t) * s
                for vol, s in zip(vols, (s0, s1))]

    def move(self, state, a0, a1):
        s0, s1, f = state
        p = self.p
        n0 = np.clip(s0 + a0 * p["m"], 0.0, p["s_max"])
        n1 = np.clip(s1 + a1 * p["m"], 0.0, p["s_max"])
        nf = np.clip(f - p["gamma"] * a0, 0.0, 1.0) if (a0 == a1 and a0 != 0) else f
        return n0, n1, nf

    def interpolate(self, V, s0, s1, f):
        """Trilinear interpolation of V (2 x grid) at the points (s0, s1, f)."""
        out = np.zeros((2,) + np.shape(s0))
        corners = []
        for x, n, top in ((s0, self.p["n_s"], self.p["s_max"]), (s1, self.p["n_s"], self.p["s_max"]), (f, self.p["n_f"], 1.0)):
            pos = np.clip(np.asarray(x, dtype=float) / top * (n - 1), 0, n - 1)
            lo = np.minimum(np.floor(pos).astype(int), n - 2)
            corners.append((lo, pos - lo))
        (i0, w0), (i1, w1), (j, wf) = corners
        for d0 in (0, 1):
            for d1 in (0, 1):
                for df in (0, 1):
                    w = (w0 if d0 else 1 - w0) * (w1 if d1 else 1 - w1) * (wf if df else 1 - wf)
                    out += w * V[:, i0 + d0, i1 + d1, j + df]
        return out

    def payoffs(self, k, state):
        """The stage game of step k at `state` (arrays): shape (3, 3, 2, ...)."""
        t = k * self.dt
        rows = []
        for a0 in ORDER:
            row = []
            for a1 in ORDER:
                nxt = self.move(state, a0, a1)
                g = self.gains(t, *nxt)
                cont = self.interpolate(self.V[k + 1], *nxt)
                row.append(np.stack([self.dt * g[0] + cont[0], self.dt * g[1] + cont[1]]))
            rows.append(np.stack(row))
        return np.stack(rows)

    def play(self, k, state):
        """(moves, values) at step k in one state."""
        if k >= self.p["steps"]:
            return (0, 0), (0.0, 0.0)
        u = self.payoffs(k, tuple(np.array(x, dtype=float) for x in state))
        return solve_stage(u)

    def path(self, start):
        """States x_0 .. x_steps, values at each, running gains after each step."""
        states, values, gains = [tuple(start)], [], [(0.0, 0.0)]
        for k in range(self.p["steps"]):
            moves, vals = self.play(k, states[-1])
            values.append(vals)
            nxt = tuple(float(x) for x in self.move(states[-1], *moves))
            g = self.gains(k * self.dt, *nxt)
            gains.append((gains[-1][0] + self.dt * float(g[0]), gains[-1][1] + self.dt * float(g[1])))
            states.append(nxt)
        values.append((0.0, 0.0))
        return states, values, gains


def near_best(x, best):
    return x >= best - TOL * (1 + abs(best))


def solve_stage(u):
    """u[p][q] = (payoff 0, payoff 1) for moves ORDER[p], ORDER[q]: the pure Nash
    equilibrium with the highest sum (first in order on ties within TOL), else each
    maker's first best response to the other staying put. Returns (moves, values)."""
    u = np.asarray(u, dtype=float)
    chosen = None
    for p in range(3):
        for q in range(3):
            br0 = near_best(u[p, q, 0], u[:, q, 0].max())
            br1 = near_best(u[p, q, 1], u[p, :, 1].max())
            if br0 and br1:
                total = u[p, q].sum()
                if chosen is None or total > u[chosen].sum() + TOL * (1 + abs(u[chosen].sum())):
                    chosen = (p, q)
    if chosen is None:
        p = next(i for i in range(3) if near_best(u[i, 0, 0], u[:, 0, 0].max()))
        q = next(i for i in range(3) if near_best(u[0, i, 1], u[0, :, 1].max()))
        chosen = (p, q)
    return (ORDER[chosen[0]], ORDER[chosen[1]]), (float(u[chosen][0]), float(u[chosen][1]))


def run(*sets):
    with tempfile.TemporaryDirectory() as out:
        args = ["run", NETLIST, "--out", out]
        for s in sets:
            args += ["--set", s]
        tsp(*args)
        with open(Path(out) / "kpis.csv") as f:
            return list(csv.DictReader(f))


class TwoMarketMakers(unittest.TestCase):
    def assert_matches(self, game, rows, start):
        states, values, gains = game.path(start)
        self.assertEqual(len(rows), game.p["steps"] + 1)
        for k, row in enumerate(rows):
            got = (float(row["maker.maker_a.stake"]), float(row["maker.maker_b.stake"]), float(row["market.fee"]))
            self.assertEqual(int(float(row["market.step"])), k)
            for g, e in zip(got, states[k]):
                self.assertAlmostEqual(g, e, delta=1e-9, msg=f"step {k}: {got} != {states[k]}")
            for i, name in enumerate(("maker_a", "maker_b")):
                self.assertAlmostEqual(float(row[f"maker.{name}.value"]), values[k][i],
                                       delta=1e-7 * (1 + abs(values[k][i])), msg=f"value, step {k}")
                self.assertAlmostEqual(float(row[f"maker.{name}.gain"]), gains[k][i],
                                       delta=1e-7 * (1 + abs(gains[k][i])), msg=f"gain, step {k}")
            vols = game.volumes(*(np.array(x) for x in states[k]))
            self.assertAlmostEqual(float(row["maker.maker_a.volume"]), float(vols[0]), delta=1e-6)
        return states

    def test_the_notebook_start(self):
        states = self.assert_matches(Game(), run(), (10.0, 10.0, 0.1))
        # The path moves: the equilibrium is not "stay put".
        self.assertNotEqual(states[0], states[-1])

    def test_other_starting_points_and_parameters(self):
        cases = [
            ((40.0, 15.0, 0.5), {}, {}),
            ((100.0, 2.0, 0.9), {}, {}),
            ((25.0, 60.0, 0.3), {"gamma": 0.2, "m": 5.0}, {"gamma": 0.2, "m": 5.0}),
        ]
        for start, sets, overrides in cases:
            with self.subTest(start=start, sets=sets):
                args = [f"two_makers.start_stakes=[{start[0]}, {start[1]}]", f"two_makers.start_fee={start[2]}"]
                args += [f"two_makers.{k}={v}" for k, v in sets.items()]
                self.assert_matches(Game(**overrides), run(*args), start)

    def test_values_of_the_policy_at_grid_states(self):
        game = Game()
        h = 120.0 / 14
        for j0, j1, jf in [(1, 1, 1), (4, 2, 7), (10, 0, 14), (0, 0, 0), (14, 13, 3)]:
            state = (j0 * h, j1 * h, jf / 14)
            with self.subTest(state=state):
                rows = run(f"two_makers.start_stakes=[{state[0]!r}, {state[1]!r}]", f"two_makers.start_fee={state[2]!r}")
                for i, name in enumerate(("maker_a", "maker_b")):
                    grid_value = float(game.V[0][i, j0, j1, jf])
                    self.assertAlmostEqual(float(rows[0][f"maker.{name}.value"]), grid_value,
                                           delta=1e-7 * (1 + abs(grid_value)))
                self.assert_matches(game, rows, state)

    def test_a_one_step_game_worked_by_hand(self):
        """One step of length 1 from stakes 10/10, fee 0.1, nothing after: maker i gets
        gain_i(0, x') = f' vol_i(x') - 0.01 S_i' - S_i'. By hand, with v(S, total, f) =
        S / total * 20000 * (1/(f + 0.001) - f) * (1/(1 + e^(2 - total/20)) - 1/(1 + e^2)):
        (stay, stay): 10/10, fee 0.1 -> 1457.49 each; (stay, up): 10/13 -> 1525.93, 1983.71;
        (up, up): 13/13, fee 0 -> -13.13 each; (down, down): 7/7, fee 0.2 -> 899.84 each.
        Against staying, each maker's best move is up (1983.71 > 1457.49); against the
        other moving up, it is to stay (1525.93 > 1020.24 down, > -13.13 up): (stay, up)
        and (up, stay) are the pure equilibria, with equal sums; the tie goes to maker 0
        staying, so maker_b moves up."""
        def payoff(s, other, f):
            total = s + other
            vol = s / total * 20000 * (1 / (f + 0.001) - f) * (1 / (1 + math.exp(2 - total / 20)) - 1 / (1 + math.exp(2)))
            return f * vol - 0.01 * s - s
        by_hand = {(0, 0): (payoff(10, 10, 0.1),) * 2, (0, 1): (payoff(10, 13, 0.1), payoff(13, 10, 0.1)),
                   (1, 1): (payoff(13, 13, 0.0),) * 2, (-1, -1): (payoff(7, 7, 0.2),) * 2,
                   (-1, 1): (payoff(7, 13, 0.1), payoff(13, 7, 0.1))}
        for (a0, a1), expected in by_hand.items():
            self.assertAlmostEqual(expected[0], {(0, 0): 1457.49, (0, 1): 1525.93, (1, 1): -13.13,
                                                 (-1, -1): 899.84, (-1, 1): 1020.24}[(a0, a1)], places=2)
        game = Game(steps=1)
        u = game.payoffs(0, tuple(np.array(x) for x in (10.0, 10.0, 0.1)))
        for (a0, a1), expected in by_hand.items():
            cell = u[ORDER.index(a0), ORDER.index(a1)]
            self.assertAlmostEqual(float(cell[0]), expected[0], places=9)
            self.assertAlmostEqual(float(cell[1]), expected[1], places=9)
        self.assertEqual(solve_stage(u)[0], (0, 1))
        rows = run("two_makers.steps=1", "sim.ticks=2")
        self.assertEqual(len(rows), 2)
        self.assertEqual((float(rows[1]["maker.maker_a.stake"]), float(rows[1]["maker.maker_b.stake"])), (10.0, 13.0))
        self.assertAlmostEqual(float(rows[1]["market.fee"]), 0.1, delta=1e-15)
        self.assertAlmostEqual(float(rows[0]["maker.maker_a.value"]), by_hand[(0, 1)][0], delta=1e-7)
        self.assertAlmostEqual(float(rows[0]["maker.maker_b.value"]), by_hand[(0, 1)][1], delta=1e-7)
        self.assertAlmostEqual(float(rows[1]["maker.maker_b.gain"]), by_hand[(0, 1)][1], delta=1e-7)

if __name__ == "__main__":
    unittest.main()
