//! Random draws: known means and variances over many draws (tolerances of
//! about five standard errors, far below the error of a wrong formula),
//! determinism given the stream, and the functions' errors.

use super::host::ChainHost;
use crate::agents::SimRng;
use crate::script::random::{chance, exponential, normal, pick, poisson, randint, uniform};
use crate::script::{Env, Script};
use rhai::Dynamic;

const DRAWS: usize = 200_000;

/// Mean and (unbiased) variance.
fn moments(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
    (mean, var)
}

fn sample(seed: u64, n: usize, mut draw: impl FnMut(&mut SimRng) -> f64) -> Vec<f64> {
    let mut rng = SimRng::new(seed);
    (0..n).map(|_| draw(&mut rng)).collect()
}

fn assert_near(what: &str, got: f64, expected: f64, tolerance: f64) {
    assert!((got - expected).abs() <= tolerance, "{what}: {got} vs {expected} (tolerance {tolerance})");
}

#[test]
fn uniform_normal_lognormal_exponential_have_their_moments() {
    let (mean, var) = moments(&sample(1, DRAWS, |r| uniform(r, 2.0, 5.0).unwrap()));
    assert_near("uniform mean", mean, 3.5, 0.01);
    assert_near("uniform variance", var, 0.75, 0.008);
    let xs = sample(2, DRAWS, |r| uniform(r, 2.0, 5.0).unwrap());
    assert!(xs.iter().all(|x| (2.0..5.0).contains(x)));

    let xs = sample(3, DRAWS, |r| normal(r, 1.0, 2.0).unwrap());
    let (mean, var) = moments(&xs);
    assert_near("normal mean", mean, 1.0, 0.025);
    assert_near("normal variance", var, 4.0, 0.07);
    let within_one_sd = xs.iter().filter(|x| (**x - 1.0).abs() < 2.0).count() as f64 / DRAWS as f64;
    assert_near("normal P(|z| < 1)", within_one_sd, 0.682_689, 0.005);

    let (mean, var) = moments(&sample(4, DRAWS, |r| normal(r, 0.0, 0.5).unwrap().exp()));
    assert_near("lognormal mean", mean, 0.125f64.exp(), 0.007);
    assert_near("lognormal variance", var, 0.25f64.exp_m1() * 0.25f64.exp(), 0.03);

    let (mean, var) = moments(&sample(5, DRAWS, |r| exponential(r, 3.0).unwrap()));
    assert_near("exponential mean", mean, 3.0, 0.035);
    assert_near("exponential variance", var, 9.0, 0.3);
}

/// P(X <= k) of a Poisson(lambda), summed exactly in log space.
fn poisson_cdf(lambda: f64, k: u64) -> f64 {
    let mut ln_factorial = 0.0;
    let mut total = 0.0;
    for i in 0..=k {
        if i > 0 {
            ln_factorial += (i as f64).ln();
        }
        total += ((i as f64).mul_add(lambda.ln(), -lambda) - ln_factorial).exp();
    }
    total
}

#[test]
fn poisson_is_right_for_small_and_large_means() {
    let xs = sample(6, DRAWS, |r| poisson(r, 3.5).unwrap() as f64);
    let (mean, var) = moments(&xs);
    assert_near("poisson(3.5) mean", mean, 3.5, 0.025);
    assert_near("poisson(3.5) variance", var, 3.5, 0.07);
    let zeros = xs.iter().filter(|x| **x == 0.0).count() as f64 / DRAWS as f64;
    assert_near("poisson(3.5) P(0)", zeros, (-3.5f64).exp(), 0.002);
    assert!(xs.iter().all(|x| *x >= 0.0 && x.fract() == 0.0));

    // The transformed-rejection branch, against the exact distribution.
    let xs = sample(7, DRAWS, |r| poisson(r, 250.0).unwrap() as f64);
    let (mean, var) = moments(&xs);
    assert_near("poisson(250) mean", mean, 250.0, 0.2);
    assert_near("poisson(250) variance", var, 250.0, 4.0);
    for k in [220, 240, 250, 265, 280] {
        let below = xs.iter().filter(|x| **x <= k as f64).count() as f64 / DRAWS as f64;
        assert_near(&format!("poisson(250) P(X <= {k})"), below, poisson_cdf(250.0, k), 0.006);
    }
    let xs = sample(8, 20_000, |r| poisson(r, 1e6).unwrap() as f64);
    let (mean, var) = moments(&xs);
    assert_near("poisson(1e6) mean", mean, 1e6, 40.0);
    assert_near("poisson(1e6) variance", var, 1e6, 5e4);
    // Both branches meet smoothly at 30.
    let (mean, var) = moments(&sample(9, DRAWS, |r| poisson(r, 30.0).unwrap() as f64));
    assert_near("poisson(30) mean", mean, 30.0, 0.07);
    assert_near("poisson(30) variance", var, 30.0, 0.5);
    assert_eq!(poisson(&mut SimRng::new(1), 0.0), Ok(0));
}

#[test]
fn chance_randint_and_pick_are_fair() {
    let hits = sample(10, DRAWS, |r| f64::from(u8::from(chance(r, 0.3).unwrap())));
    assert_near("chance(0.3)", moments(&hits).0, 0.3, 0.006);
    let xs = sample(11, DRAWS, |r| randint(r, -2, 3).unwrap() as f64);
    for value in -2..=3 {
        let share = xs.iter().filter(|x| **x == value as f64).count() as f64 / DRAWS as f64;
        assert_near(&format!("randint P({value})"), share, 1.0 / 6.0, 0.005);
    }
    assert!(xs.iter().all(|x| (-2.0..=3.0).contains(x)));
    let full = sample(12, 1000, |r| randint(r, i64::MIN, i64::MAX).unwrap() as f64);
    assert!(full.iter().any(|x| *x < 0.0) && full.iter().any(|x| *x > 0.0));
    let items: rhai::Array = ["a", "b", "c"].into_iter().map(Dynamic::from).collect();
    let picks = sample(13, DRAWS, |r| if pick(r, &items).unwrap().to_string() == "b" { 1.0 } else { 0.0 });
    assert_near("pick share of b", moments(&picks).0, 1.0 / 3.0, 0.006);
}

#[test]
fn script_draws_come_from_the_host_stream_deterministically() {
    let script = Script::expression(
        "[uniform(0, 1), normal(0, 1), lognormal(0, 1), exponential(2), poisson(4), chance(0.5), randint(1, 6), pick([1, 2])]",
        super::host::origin(),
    )
    .expect("compiles");
    let run = |seed: u64| {
        let mut h = ChainHost::new();
        h.rng = Some(SimRng::new(seed));
        (0..50)
            .map(|_| format!("{:?}", script.eval(&mut Env::new(), &mut h).expect("draws")))
            .collect::<Vec<_>>()
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
    // The script's functions draw exactly what the library functions draw.
    let mut h = ChainHost::new();
    h.rng = Some(SimRng::new(21));
    let mut reference = SimRng::new(21);
    for _ in 0..20 {
        let got = h.eval("normal(1.0, 2.0)").expect("normal").as_float().expect("float");
        assert_eq!(got, normal(&mut reference, 1.0, 2.0).unwrap());
        let got = h.eval("poisson(50)").expect("poisson").as_int().expect("int");
        assert_eq!(got, poisson(&mut reference, 50.0).unwrap());
    }
}

#[test]
fn bad_parameters_and_forbidden_draws_are_errors() {
    let mut h = ChainHost::new();
    assert_eq!(h.error("uniform(0, 1)"), "uniform: random draws are not allowed in KPIs");
    h.rng = Some(SimRng::new(1));
    assert_eq!(h.error("uniform(2, 1)"), "uniform: a (2) is above b (1)");
    assert_eq!(h.error("normal(0, -1)"), "normal: sd (-1) is negative");
    assert_eq!(h.error("exponential(-1)"), "exponential: mean (-1) is negative");
    assert_eq!(h.error("poisson(-1)"), "poisson: lambda (-1) must be between 0 and 1e15");
    assert_eq!(h.error("chance(1.5)"), "chance: p (1.5) must be between 0 and 1");
    assert_eq!(h.error("randint(3, 1)"), "randint: lo (3) is above hi (1)");
    assert_eq!(h.error("pick([])"), "pick: the array is empty");
    assert_eq!(
        h.error("normal(uint(1), 1)"),
        "normal: expected a number, got uint 1: use from_wei(u) or float(u)"
    );
}
