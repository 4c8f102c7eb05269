//! Shrinking the best sequence, as Foundry shrinks a failing fuzz run: drop
//! one move at a time (replaying from the snapshot each time), then round
//! each amount to one, else two, significant digits, keeping a change only
//! when the profit stays at least `keep` times the original's. Capped at
//! `max_evals` replays.

use super::search::{Candidate, Move};
use super::target::Target;

/// The shrunk sequence and the replays it took.
pub fn shrink(
    target: &mut dyn Target,
    best: &Candidate,
    keep: f64,
    max_evals: u64,
) -> anyhow::Result<(Candidate, u64)> {
    if best.profit <= 0.0 || best.moves.is_empty() {
        return Ok((best.clone(), 0));
    }
    let threshold = keep * best.profit;
    let mut current = best.clone();
    let mut evals = 0u64;
    let mut changed = true;
    while changed && evals < max_evals {
        changed = false;
        for i in (0..current.moves.len()).rev() {
            if evals >= max_evals || current.moves.len() <= 1 {
                break;
            }
            let mut moves = current.moves.clone();
            moves.remove(i);
            let profit = target.profit(&moves)?;
            evals += 1;
            if profit >= threshold {
                current = Candidate { moves, profit };
                changed = true;
            }
        }
    }
    for i in 0..current.moves.len() {
        for digits in [1, 2] {
            let x = round_significant(current.moves[i].x, digits);
            if evals >= max_evals || x == current.moves[i].x {
                continue;
            }
            let mut moves = current.moves.clone();
            moves[i] = Move { x, ..moves[i] };
            let profit = target.profit(&moves)?;
            evals += 1;
            if profit >= threshold {
                current = Candidate { moves, profit };
                break;
            }
        }
    }
    Ok((current, evals))
}

/// `x` in (0, 1] rounded to `digits` significant digits, on the 1e-9 grid.
fn round_significant(x: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits - 1 - x.log10().floor() as i32);
    (((x * scale).round() / scale).min(1.0) * 1e9).round() / 1e9
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Profit 10·x of action 1 when action 0 came before it; action 2 costs 1.
    struct Toy;

    impl Target for Toy {
        fn actions(&self) -> usize {
            3
        }
        fn profit(&mut self, moves: &[Move]) -> anyhow::Result<f64> {
            let mut primed = false;
            let mut profit = 0.0;
            for m in moves {
                match m.action {
                    0 => primed = true,
                    1 if primed => profit += 10.0 * m.x,
                    2 => profit -= 1.0,
                    _ => {}
                }
            }
            Ok(profit)
        }
    }

    #[test]
    fn shrinking_drops_useless_moves_and_rounds_amounts() {
        let moves = vec![
            Move { action: 2, x: 0.5 },
            Move { action: 0, x: 0.123 },
            Move { action: 2, x: 0.5 },
            Move { action: 1, x: 0.987654321 },
        ];
        let best = Candidate { profit: Toy.profit(&moves).unwrap(), moves };
        let (shrunk, _) = shrink(&mut Toy, &best, 0.9, 100).unwrap();
        assert_eq!(shrunk.moves, vec![Move { action: 0, x: 0.1 }, Move { action: 1, x: 1.0 }]);
        assert!((shrunk.profit - 10.0).abs() < 1e-12);
    }

    #[test]
    fn search_finds_the_two_step_toy_attack_deterministically() {
        let settings = crate::attack::SearchSettings { horizon: 3, budget: 600, population: 60, seed: 3 };
        let a = crate::attack::search(&mut Toy, &settings).unwrap();
        let b = crate::attack::search(&mut Toy, &settings).unwrap();
        assert_eq!(a.best, b.best);
        assert!(a.best.profit > 9.0, "{:?}", a.best);
        assert_eq!(a.evaluated, 600);
    }
}
