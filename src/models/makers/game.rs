//! The two-market-maker game ("Market Based Mechanisms for Incentivising
//! Exchange Liquidity Provision", section 4) and its equilibrium policies by
//! backward induction on a grid.
//!
//! The game: the state is both makers' stakes and the market fee; in each of
//! `steps` steps of length dt = horizon / steps both makers move their stake
//! by -m, 0 or +m at once (clipped to [0, max_stake]); when both move the
//! same way a, the fee moves by -gamma * a (clipped to [0, 1]). In step k
//! (time t_k = k dt) maker i earns dt * gain_i(t_k, x') at the state x'
//! after the moves, where
//! `gain_i(t, x) = exp(-r t) (f vol_i - lambda sigma S_i) - exp(r_risk t) S_i`
//! and `vol_i = S_i / sum(S) * n_max * fee_response(f) * stake_response(sum S)`.
//!
//! The choices the notebook leaves open, made here and in the Python
//! reference (`tests/python/test_two_market_makers.py`) alike:
//! - values V_i^k on the grid of `stake_points` stakes from 0 to max_stake by
//!   `stake_points` fees from 0 to 1, both evenly spaced; V^steps = 0 (no
//!   terminal value); no discounting beyond the gain's own exp(-r t);
//! - off-grid states read V^(k+1) by trilinear interpolation;
//! - step k's stage game is the 3x3 bimatrix u_i(a) = dt gain_i(t_k, x') +
//!   V_i^(k+1)(x'), x' the state after moves a; its solution is the pure Nash
//!   equilibrium with the highest u_0 + u_1; ties (within a relative 1e-9)
//!   go to the first in the order of moves 0, -1, +1 (maker 0's move first);
//!   with no pure equilibrium, each maker plays its best response to the
//!   other staying put;
//! - a maker's best responses are the moves within a relative 1e-9 of its
//!   best payoff (so exact ties, e.g. -m at a zero stake, are found).

/// Moves, in the order that breaks ties: stay, down, up.
pub const MOVES: [i8; 3] = [0, -1, 1];

/// Relative tolerance of payoff comparisons.
const TOLERANCE: f64 = 1e-9;

/// The game's parameters (the `[two_makers]` table's keys but the makers and
/// the starting point; read and checked there). Absent keys take the
/// notebook's values.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct GameParams {
    /// Largest volume, N_max.
    pub n_max: f64,
    /// Fee change when both makers move the same way.
    pub gamma: f64,
    /// Volatility each maker's stake is exposed to.
    pub sigma: f64,
    /// Weight of that exposure.
    pub lambda: f64,
    /// Discount rate of fee income.
    pub r: f64,
    /// Growth rate of the cost of capital staked.
    pub r_risk: f64,
    /// Stake change of one move, m.
    pub m: f64,
    /// Length of the game, T.
    pub horizon: f64,
    /// Steps, N_T.
    pub steps: usize,
    /// Stake grid points, N_S (0 to `max_stake`).
    pub stake_points: usize,
    /// Fee grid points, N_f (0 to 1).
    pub fee_points: usize,
    /// Largest stake.
    pub max_stake: f64,
}

/// A state of the game: both stakes and the fee.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct State {
    /// Maker 0's and maker 1's stake.
    pub stakes: [f64; 2],
    /// The market fee.
    pub fee: f64,
}

/// Volume per unit of time as a function of the fee: `1/(f + 0.001) - f`, f clipped to [0, 1].
pub fn fee_volume_response(fee: f64) -> f64 {
    let f = fee.clamp(0.0, 1.0);
    1.0 / (f + 0.001) - f
}

/// Volume as a function of the total stake: a logistic curve, 0 at no stake.
pub fn stake_volume_response(total_stake: f64) -> f64 {
    1.0 / (1.0 + (-0.05f64).mul_add(total_stake, 2.0).exp()) - 1.0 / (1.0 + 2f64.exp())
}

impl Default for GameParams {
    fn default() -> Self {
        Self::NOTEBOOK
    }
}

impl GameParams {
    /// The notebook's values.
    pub const NOTEBOOK: Self = Self {
        n_max: 20_000.0,
        gamma: 0.1,
        sigma: 0.1,
        lambda: 0.1,
        r: 0.02,
        r_risk: 0.01,
        m: 3.0,
        horizon: 1.0,
        steps: 5,
        stake_points: 15,
        fee_points: 15,
        max_stake: 120.0,
    };

    /// Length of a step.
    pub fn dt(&self) -> f64 {
        self.horizon / self.steps as f64
    }

    /// Each maker's volume per unit of time at `x` (none when nothing is staked).
    pub fn volumes(&self, x: State) -> [f64; 2] {
        let total = x.stakes[0] + x.stakes[1];
        if total <= 0.0 {
            return [0.0; 2];
        }
        let market = self.n_max * fee_volume_response(x.fee) * stake_volume_response(total);
        x.stakes.map(|s| s / total * market)
    }

    /// Maker `i`'s running gain per unit of time at time `t` in state `x`.
    pub fn gain(&self, i: usize, t: f64, x: State) -> f64 {
        let stake = x.stakes[i];
        let income = x.fee.mul_add(self.volumes(x)[i], -(self.lambda * self.sigma * stake));
        (-self.r * t).exp().mul_add(income, -((self.r_risk * t).exp() * stake))
    }

    /// The state after moves `moves` (each -1, 0 or +1) from `x`.
    pub fn next(&self, x: State, moves: [i8; 2]) -> State {
        let stakes =
            [0, 1].map(|i| f64::from(moves[i]).mul_add(self.m, x.stakes[i]).clamp(0.0, self.max_stake));
        let fee = if moves[0] == moves[1] && moves[0] != 0 {
            f64::from(moves[0]).mul_add(-self.gamma, x.fee).clamp(0.0, 1.0)
        } else {
            x.fee
        };
        State { stakes, fee }
    }
}

/// The 3x3 bimatrix of one step: `payoffs[p][q]` is both makers' payoff when
/// maker 0 plays `MOVES[p]` and maker 1 plays `MOVES[q]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// Payoffs by move index (see [`MOVES`]).
    pub payoffs: [[[f64; 2]; 3]; 3],
}

/// The solution of a stage game.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Equilibrium {
    /// Each maker's move, -1, 0 or +1.
    pub moves: [i8; 2],
    /// Each maker's payoff (its value of the game from here).
    pub values: [f64; 2],
    /// Whether it is a pure Nash equilibrium (false: the fallback).
    pub pure: bool,
}

/// The slack of a comparison with `x`: TOLERANCE * (1 + |x|).
fn slack(x: f64) -> f64 {
    TOLERANCE.mul_add(x.abs(), TOLERANCE)
}

/// `a` is at least `best` up to the relative tolerance.
fn close_to_best(a: f64, best: f64) -> bool {
    a >= best - slack(best)
}

impl Stage {
    /// Maker `i`'s payoff when it plays move index `own` and the other `other`.
    fn payoff(&self, i: usize, own: usize, other: usize) -> f64 {
        if i == 0 {
            self.payoffs[own][other][0]
        } else {
            self.payoffs[other][own][1]
        }
    }

    /// Whether `own` is one of maker `i`'s best responses to `other`.
    fn is_best_response(&self, i: usize, own: usize, other: usize) -> bool {
        let best = (0..3).map(|b| self.payoff(i, b, other)).fold(f64::NEG_INFINITY, f64::max);
        close_to_best(self.payoff(i, own, other), best)
    }

    /// Maker `i`'s first best response (in [`MOVES`] order) to `other`.
    fn best_response(&self, i: usize, other: usize) -> usize {
        (0..3).find(|&own| self.is_best_response(i, own, other)).unwrap_or(0)
    }

    /// The equilibrium this model plays (see the module's doc).
    pub fn solve(&self) -> Equilibrium {
        let mut chosen: Option<(usize, usize)> = None;
        for p in 0..3 {
            for q in 0..3 {
                if !(self.is_best_response(0, p, q) && self.is_best_response(1, q, p)) {
                    continue;
                }
                let sum = |(p, q): (usize, usize)| self.payoffs[p][q][0] + self.payoffs[p][q][1];
                let better = chosen.is_none_or(|best| {
                    let best_sum = sum(best);
                    sum((p, q)) > best_sum + slack(best_sum)
                });
                if better {
                    chosen = Some((p, q));
                }
            }
        }
        let pure = chosen.is_some();
        let (p, q) = chosen.unwrap_or_else(|| (self.best_response(0, 0), self.best_response(1, 0)));
        Equilibrium { moves: [MOVES[p], MOVES[q]], values: self.payoffs[p][q], pure }
    }
}

/// Where `x` falls on an even grid of `points` from 0 to `max`: the lower
/// point's index and the weight of the upper one.
fn locate(x: f64, max: f64, points: usize) -> (usize, f64) {
    let last = (points - 1) as f64;
    let position = (x / max * last).clamp(0.0, last);
    let lower = (position.floor() as usize).min(points - 2);
    (lower, position - lower as f64)
}

/// Both makers' values V^k on the grid for every step k, and the policy they imply.
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    /// The game.
    pub params: GameParams,
    /// `values[k][i]`: maker i's V^k at every grid point, stake 0 outermost, fee innermost.
    values: Vec<[Vec<f64>; 2]>,
    /// Grid states (of step k < steps) where the stage game has no pure equilibrium.
    pub fallbacks: usize,
}

impl Solution {
    /// Backward induction from V^steps = 0.
    pub fn solve(params: &GameParams) -> Self {
        let (ns, nf) = (params.stake_points, params.fee_points);
        let zero = vec![0.0; ns * ns * nf];
        let mut solution = Self {
            params: params.clone(),
            values: vec![[zero.clone(), zero]; params.steps + 1],
            fallbacks: 0,
        };
        for k in (0..params.steps).rev() {
            let mut step = solution.values[k].clone();
            for index in 0..ns * ns * nf {
                let equilibrium = solution.play(k, solution.grid_state(index));
                solution.fallbacks += usize::from(!equilibrium.pure);
                for (i, values) in step.iter_mut().enumerate() {
                    values[index] = equilibrium.values[i];
                }
            }
            solution.values[k] = step;
        }
        solution
    }

    /// The state at flat grid index `index`.
    fn grid_state(&self, index: usize) -> State {
        let (ns, nf) = (self.params.stake_points, self.params.fee_points);
        let stake_at = |j: usize| j as f64 * self.params.max_stake / (ns - 1) as f64;
        State {
            stakes: [stake_at(index / (ns * nf)), stake_at(index / nf % ns)],
            fee: (index % nf) as f64 / (nf - 1) as f64,
        }
    }

    /// Maker `i`'s V^k at `x`, interpolated on the grid.
    pub fn value(&self, k: usize, i: usize, x: State) -> f64 {
        let p = &self.params;
        let (ns, nf) = (p.stake_points, p.fee_points);
        let (j0, w0) = locate(x.stakes[0], p.max_stake, ns);
        let (j1, w1) = locate(x.stakes[1], p.max_stake, ns);
        let (jf, wf) = locate(x.fee, 1.0, nf);
        let values = &self.values[k][i];
        let mut total = 0.0;
        for (d0, v0) in [(0, 1.0 - w0), (1, w0)] {
            for (d1, v1) in [(0, 1.0 - w1), (1, w1)] {
                for (df, vf) in [(0, 1.0 - wf), (1, wf)] {
                    total += v0 * v1 * vf * values[((j0 + d0) * ns + j1 + d1) * nf + jf + df];
                }
            }
        }
        total
    }

    /// The stage game of step `k` (< steps) at `x`.
    pub fn stage(&self, k: usize, x: State) -> Stage {
        let p = &self.params;
        let t = k as f64 * p.dt();
        let mut payoffs = [[[0.0; 2]; 3]; 3];
        for (pi, row) in payoffs.iter_mut().enumerate() {
            for (qi, cell) in row.iter_mut().enumerate() {
                let after = p.next(x, [MOVES[pi], MOVES[qi]]);
                *cell = [0, 1].map(|i| p.dt().mul_add(p.gain(i, t, after), self.value(k + 1, i, after)));
            }
        }
        Stage { payoffs }
    }

    /// What the makers play at step `k` in state `x`; from step `steps` on,
    /// nothing (no moves, no value).
    pub fn play(&self, k: usize, x: State) -> Equilibrium {
        if k >= self.params.steps {
            return Equilibrium { moves: [0, 0], values: [0.0; 2], pure: true };
        }
        self.stage(k, x).solve()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: State = State { stakes: [10.0, 10.0], fee: 0.1 };

    #[test]
    fn responses_match_the_formulas() {
        assert!((fee_volume_response(0.1) - (1.0 / 0.101 - 0.1)).abs() < 1e-12);
        assert_eq!(fee_volume_response(2.0), fee_volume_response(1.0));
        assert!(stake_volume_response(0.0).abs() < 1e-15);
        let expected = 1.0 / (1.0 + (1.0f64).exp()) - 1.0 / (1.0 + (2.0f64).exp());
        assert!((stake_volume_response(20.0) - expected).abs() < 1e-15);
        let p = GameParams::NOTEBOOK;
        let v = p.volumes(State { stakes: [5.0, 15.0], fee: 0.1 });
        let market = 20_000.0 * fee_volume_response(0.1) * expected;
        assert!((v[0] - market / 4.0).abs() < 1e-9 && (v[1] - market * 0.75).abs() < 1e-9);
        assert_eq!(p.volumes(State { stakes: [0.0, 0.0], fee: 0.5 }), [0.0, 0.0]);
        let g = p.gain(1, 0.4, State { stakes: [5.0, 15.0], fee: 0.1 });
        // exp(-0.02 * 0.4) * (0.1 * vol - 0.1 * 0.1 * 15) - exp(0.01 * 0.4) * 15
        let (income, cost) = (0.1f64.mul_add(v[1], -0.15), 15.0 * 0.004f64.exp());
        let by_hand = (-0.008f64).exp().mul_add(income, -cost);
        assert!((g - by_hand).abs() < 1e-9, "{g} {by_hand}");
    }

    #[test]
    fn moves_clip_and_the_fee_moves_only_together() {
        let p = GameParams::NOTEBOOK;
        let x = State { stakes: [1.0, 119.0], fee: 0.05 };
        assert_eq!(p.next(x, [-1, 1]), State { stakes: [0.0, 120.0], fee: 0.05 });
        assert_eq!(p.next(x, [1, 1]), State { stakes: [4.0, 120.0], fee: 0.0 });
        let down = p.next(x, [-1, -1]);
        assert_eq!(down.stakes, [0.0, 116.0]);
        assert!((down.fee - 0.15).abs() < 1e-15);
    }

    #[test]
    fn a_hand_made_stage_picks_the_better_of_two_equilibria() {
        // Coordination: (stay, stay) and (up, up) are both equilibria; (up, up) pays more.
        let mut payoffs = [[[0.0; 2]; 3]; 3];
        payoffs[0][0] = [2.0, 2.0];
        payoffs[2][2] = [3.0, 3.0];
        let e = Stage { payoffs }.solve();
        assert_eq!((e.moves, e.values, e.pure), ([1, 1], [3.0, 3.0], true));
        // Matching pennies on (stay, up), and moving down costs the mover 5 (the
        // other gets 0): no pure equilibrium, so best responses to staying put.
        let mut payoffs = [[[0.0, 0.0]; 3]; 3];
        for (p, row) in payoffs.iter_mut().enumerate() {
            for (q, cell) in row.iter_mut().enumerate() {
                if p == 1 {
                    cell[0] = -5.0;
                }
                if q == 1 {
                    cell[1] = -5.0;
                }
            }
        }
        payoffs[0][0] = [1.0, -1.0];
        payoffs[0][2] = [-1.0, 1.0];
        payoffs[2][0] = [-1.0, 1.0];
        payoffs[2][2] = [1.0, -1.0];
        let e = Stage { payoffs }.solve();
        assert_eq!((e.moves, e.pure), ([0, 1], false));
    }

    #[test]
    fn exact_ties_go_to_staying_put() {
        let payoffs = [[[1.0, 1.0]; 3]; 3];
        assert_eq!(Stage { payoffs }.solve().moves, [0, 0]);
    }

    #[test]
    fn the_last_step_is_a_one_shot_game_on_the_gain() {
        let p = GameParams::NOTEBOOK;
        let solution = Solution::solve(&p);
        let stage = solution.stage(p.steps - 1, START);
        let t = (p.steps - 1) as f64 * p.dt();
        for (pi, row) in stage.payoffs.iter().enumerate() {
            for (qi, cell) in row.iter().enumerate() {
                let after = p.next(START, [MOVES[pi], MOVES[qi]]);
                assert_eq!(*cell, [p.dt() * p.gain(0, t, after), p.dt() * p.gain(1, t, after)]);
            }
        }
    }

    #[test]
    fn values_on_grid_points_are_the_grid_values() {
        let solution = Solution::solve(&GameParams::NOTEBOOK);
        let x = State { stakes: [120.0 / 14.0 * 3.0, 120.0 / 14.0 * 5.0], fee: 2.0 / 14.0 };
        let direct = solution.play(2, x).values[1];
        assert!((solution.value(2, 1, x) - direct).abs() < 1e-9 * (1.0 + direct.abs()));
        assert_eq!(solution.value(5, 0, START), 0.0);
    }
}
