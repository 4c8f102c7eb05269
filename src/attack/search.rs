//! The search: the cross-entropy method over sequences of up to `horizon`
//! moves. Each position of a sequence has a categorical distribution over
//! the actions and "no move", and each (position, action) a normal
//! distribution over log10 of the amount `x` in [1e-4, 1]. A generation
//! samples `population` candidates from a seeded stream, evaluates them,
//! and refits every distribution towards its elite (the best tenth of the
//! profitable candidates, the elite of earlier generations included),
//! smoothed so that no choice's probability falls to zero. Until a
//! candidate beats doing nothing, the search samples its first
//! distributions: a random search. Deterministic for a seed.

use super::target::Target;
use crate::agents::SimRng;

/// One move: an action of the spec and its amount in (0, 1].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Move {
    /// Index of the action in the spec.
    pub action: usize,
    /// The amount parameter `x`, on a 1e-9 grid.
    pub x: f64,
}

/// A sequence and its profit.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The moves in order.
    pub moves: Vec<Move>,
    /// The attacker's profit in the numeraire.
    pub profit: f64,
}

/// How long and how wide to search.
#[derive(Debug, Clone, Copy)]
pub struct SearchSettings {
    /// The most moves in a sequence.
    pub horizon: usize,
    /// Candidates to evaluate in all.
    pub budget: u64,
    /// Candidates per generation.
    pub population: usize,
    /// The seed of the search's stream.
    pub seed: u64,
}

impl Default for SearchSettings {
    /// `tsp attack`'s defaults: 10,000 candidates of up to 4 moves, 100 per generation, seed 1.
    fn default() -> Self {
        Self { horizon: 4, budget: 10_000, population: 100, seed: 1 }
    }
}

/// What a search found.
#[derive(Debug, Clone)]
pub struct SearchResult {
    /// The most profitable sequence (the empty one when nothing beat doing nothing).
    pub best: Candidate,
    /// Candidates evaluated.
    pub evaluated: u64,
    /// `(candidates evaluated, best profit so far)` after each generation.
    pub growth: Vec<(u64, f64)>,
}

const LOG_MIN: f64 = -4.0;
const SMOOTHING: f64 = 0.7;
const FLOOR: f64 = 0.02;

/// A sampled sequence: per position, the choice (`actions` = no move) and log10 x.
#[derive(Debug, Clone)]
struct Sample {
    choices: Vec<usize>,
    logs: Vec<f64>,
    profit: f64,
}

impl Sample {
    fn moves(&self, actions: usize) -> Vec<Move> {
        self.choices
            .iter()
            .zip(&self.logs)
            .filter(|(c, _)| **c < actions)
            .map(|(&action, &log)| Move { action, x: amount(log) })
            .collect()
    }
}

/// x = 10^log on the 1e-9 grid, in [1e-4, 1].
pub(super) fn amount(log: f64) -> f64 {
    (10f64.powf(log.clamp(LOG_MIN, 0.0)) * 1e9).round() / 1e9
}

fn normal(rng: &mut SimRng) -> f64 {
    let u = rng.uniform().max(f64::MIN_POSITIVE);
    let v = rng.uniform();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

fn categorical(rng: &mut SimRng, probs: &[f64]) -> usize {
    let mut draw = rng.uniform() * probs.iter().sum::<f64>();
    for (i, p) in probs.iter().enumerate() {
        if draw < *p {
            return i;
        }
        draw -= p;
    }
    probs.len() - 1
}

/// Search `target` for the most profitable sequence within `settings`.
pub fn search(target: &mut dyn Target, settings: &SearchSettings) -> anyhow::Result<SearchResult> {
    let (actions, horizon) = (target.actions(), settings.horizon.max(1));
    let population = settings.population.max(4);
    let elite = (population / 10).max(2);
    let mut rng = SimRng::new(settings.seed);
    let mut probs = vec![vec![1.0 / (actions + 1) as f64; actions + 1]; horizon];
    let mut mean = vec![vec![-1.0f64; actions]; horizon];
    let mut spread = vec![vec![1.5f64; actions]; horizon];
    let mut best = Candidate { moves: Vec::new(), profit: 0.0 };
    let (mut evaluated, mut growth, mut elites) = (0u64, Vec::new(), Vec::<Sample>::new());
    while evaluated < settings.budget {
        let size = population.min(usize::try_from(settings.budget - evaluated).unwrap_or(population));
        let mut generation = Vec::with_capacity(size + elites.len());
        for _ in 0..size {
            let mut sample = Sample { choices: Vec::with_capacity(horizon), logs: Vec::new(), profit: 0.0 };
            for p in 0..horizon {
                let choice = categorical(&mut rng, &probs[p]);
                let log = if choice < actions {
                    spread[p][choice].mul_add(normal(&mut rng), mean[p][choice])
                } else {
                    0.0
                };
                sample.choices.push(choice);
                sample.logs.push(log.clamp(LOG_MIN, 0.0));
            }
            let moves = sample.moves(actions);
            sample.profit = target.profit(&moves)?;
            evaluated += 1;
            if sample.profit > best.profit {
                best = Candidate { moves, profit: sample.profit };
            }
            generation.push(sample);
        }
        growth.push((evaluated, best.profit));
        generation.append(&mut elites);
        // Stable sort: ties keep sampling order, so the result is deterministic.
        generation.sort_by(|a, b| b.profit.total_cmp(&a.profit));
        // Only profitable candidates teach: refitting towards sequences no
        // better than doing nothing would collapse the search onto no-ops.
        generation.retain(|s| s.profit > 0.0);
        generation.truncate(elite);
        if !generation.is_empty() {
            refit(&generation, actions, &mut probs, &mut mean, &mut spread);
        }
        elites = generation;
    }
    Ok(SearchResult { best, evaluated, growth })
}

/// Move every distribution towards the elite's choices and amounts.
fn refit(
    elite: &[Sample],
    actions: usize,
    probs: &mut [Vec<f64>],
    mean: &mut [Vec<f64>],
    spread: &mut [Vec<f64>],
) {
    let n = elite.len() as f64;
    for (p, row) in probs.iter_mut().enumerate() {
        let mut counts = vec![0.0; actions + 1];
        for sample in elite {
            counts[sample.choices[p]] += 1.0;
        }
        for (prob, count) in row.iter_mut().zip(&counts) {
            *prob = SMOOTHING.mul_add(count / n, (1.0 - SMOOTHING) * *prob).max(FLOOR);
        }
        let total: f64 = row.iter().sum();
        row.iter_mut().for_each(|q| *q /= total);
        for a in 0..actions {
            let logs: Vec<f64> = elite.iter().filter(|s| s.choices[p] == a).map(|s| s.logs[p]).collect();
            if logs.is_empty() {
                continue;
            }
            let m = logs.iter().sum::<f64>() / logs.len() as f64;
            let var = logs.iter().map(|l| (l - m).powi(2)).sum::<f64>() / logs.len() as f64;
            mean[p][a] = SMOOTHING.mul_add(m, (1.0 - SMOOTHING) * mean[p][a]);
            spread[p][a] = SMOOTHING.mul_add(var.sqrt(), (1.0 - SMOOTHING) * spread[p][a]).max(0.05);
        }
    }
}
