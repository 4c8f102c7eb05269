//! Random draws for expressions (`uniform normal lognormal exponential
//! poisson chance randint pick`), all from the host's stream of the current
//! context, so a run is deterministic given its seed.
//!
//! # Errors
//! Bad parameters (a negative standard deviation, `lo > hi`, an empty array,
//! NaN) and contexts where draws are not allowed (the host's `rng()` says
//! why) are script errors; no draw is taken from the stream then.

use super::engine::{lift, volatile};
use super::host::with_host;
use super::values::as_number;
use crate::agents::SimRng;
use rhai::{Array, Dynamic, Module, INT};
use std::f64::consts::PI;

/// Run `draw` on the host's stream; `call` names the function for errors.
fn with_rng<T>(call: &str, draw: impl FnOnce(&mut SimRng) -> Result<T, String>) -> Result<T, String> {
    with_host(|host| {
        let rng = host.rng().map_err(|e| format!("{call}: {e}"))?;
        draw(rng).map_err(|e| format!("{call}: {e}"))
    })
}

fn finite(name: &str, value: f64) -> Result<f64, String> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(format!("{name} must be a finite number, got {value}"))
    }
}

/// Uniform in [a, b).
pub(crate) fn uniform(rng: &mut SimRng, a: f64, b: f64) -> Result<f64, String> {
    let (a, b) = (finite("a", a)?, finite("b", b)?);
    if a > b {
        return Err(format!("a ({a}) is above b ({b})"));
    }
    Ok((b - a).mul_add(rng.uniform(), a))
}

/// Normal with `mean` and standard deviation `sd` (Box–Muller, two uniforms per draw).
pub(crate) fn normal(rng: &mut SimRng, mean: f64, sd: f64) -> Result<f64, String> {
    let (mean, sd) = (finite("mean", mean)?, finite("sd", sd)?);
    if sd < 0.0 {
        return Err(format!("sd ({sd}) is negative"));
    }
    let radius_uniform = 1.0 - rng.uniform(); // in (0, 1], so its log is finite
    let angle = 2.0 * PI * rng.uniform();
    let standard = (-2.0 * radius_uniform.ln()).sqrt() * angle.cos();
    Ok(sd.mul_add(standard, mean))
}

/// Exponential with mean `mean` (inverse transform).
pub(crate) fn exponential(rng: &mut SimRng, mean: f64) -> Result<f64, String> {
    let mean = finite("mean", mean)?;
    if mean < 0.0 {
        return Err(format!("mean ({mean}) is negative"));
    }
    Ok(-mean * (1.0 - rng.uniform()).ln())
}

/// ln(k!), exact summation for small k and Stirling's series past that.
fn ln_factorial(k: f64) -> f64 {
    if k < 64.0 {
        return (2..=k as u64).map(|i| (i as f64).ln()).sum();
    }
    let k2 = k * k;
    let series = 1.0 / (12.0 * k) - 1.0 / (360.0 * k * k2) + 1.0 / (1260.0 * k * k2 * k2);
    0.5f64.mul_add((2.0 * PI * k).ln(), k.mul_add(k.ln(), -k)) + series
}

/// Largest mean `poisson` accepts (draws stay exact integers in an f64).
const POISSON_MAX_LAMBDA: f64 = 1e15;

/// Poisson with mean `lambda`: the product-of-uniforms method below 30,
/// Hörmann's transformed rejection with squeeze (PTRS, 1993) above.
pub(crate) fn poisson(rng: &mut SimRng, lambda: f64) -> Result<INT, String> {
    let lambda = finite("lambda", lambda)?;
    if !(0.0..=POISSON_MAX_LAMBDA).contains(&lambda) {
        return Err(format!("lambda ({lambda}) must be between 0 and {POISSON_MAX_LAMBDA:e}"));
    }
    if lambda < 30.0 {
        let limit = (-lambda).exp();
        let mut product = rng.uniform();
        let mut count = 0;
        while product > limit {
            product *= rng.uniform();
            count += 1;
        }
        return Ok(count);
    }
    let sqrt_lambda = lambda.sqrt();
    let ln_lambda = lambda.ln();
    let b = 2.53f64.mul_add(sqrt_lambda, 0.931);
    let a = 0.02483f64.mul_add(b, -0.059);
    let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    let v_r = 0.9277 - 3.6224 / (b - 2.0);
    loop {
        let u = rng.uniform() - 0.5;
        let v = rng.uniform();
        let us = 0.5 - u.abs();
        if us <= 0.0 {
            continue;
        }
        let k = ((2.0 * a / us + b).mul_add(u, lambda) + 0.43).floor();
        if us >= 0.07 && v <= v_r {
            return Ok(k as INT);
        }
        if k < 0.0 || (us < 0.013 && v > us) {
            continue;
        }
        let accept = (v * inv_alpha / (a / (us * us) + b)).ln();
        if accept <= k.mul_add(ln_lambda, -lambda) - ln_factorial(k) {
            return Ok(k as INT);
        }
    }
}

/// True with probability `p`.
pub(crate) fn chance(rng: &mut SimRng, p: f64) -> Result<bool, String> {
    if !(0.0..=1.0).contains(&p) {
        return Err(format!("p ({p}) must be between 0 and 1"));
    }
    Ok(rng.uniform() < p)
}

/// Uniform integer in [lo, hi], unbiased (rejection of the partial last block).
pub(crate) fn randint(rng: &mut SimRng, lo: INT, hi: INT) -> Result<INT, String> {
    if lo > hi {
        return Err(format!("lo ({lo}) is above hi ({hi})"));
    }
    let span = (hi as i128 - lo as i128 + 1) as u128; // 1 ..= 2^64
    if span > u128::from(u64::MAX) {
        return Ok(rng.next_u64() as INT);
    }
    let span = span as u64;
    let zone = u64::MAX - (u64::MAX % span + 1) % span; // largest multiple of span, minus one
    loop {
        let x = rng.next_u64();
        if x <= zone {
            return Ok((lo as i128 + i128::from(x % span)) as INT);
        }
    }
}

/// One element of `items`, each equally likely.
pub(crate) fn pick(rng: &mut SimRng, items: &Array) -> Result<Dynamic, String> {
    if items.is_empty() {
        return Err("the array is empty".to_string());
    }
    let last = INT::try_from(items.len() - 1).map_err(|_| "the array is too long".to_string())?;
    let index = randint(rng, 0, last)?;
    Ok(items[index as usize].clone())
}

/// Register the random functions.
pub(crate) fn register(module: &mut Module) {
    volatile(module, "uniform", |a: Dynamic, b: Dynamic| {
        lift(with_rng("uniform", |rng| uniform(rng, as_number(&a)?, as_number(&b)?)))
    });
    volatile(module, "normal", |mean: Dynamic, sd: Dynamic| {
        lift(with_rng("normal", |rng| normal(rng, as_number(&mean)?, as_number(&sd)?)))
    });
    volatile(module, "lognormal", |mu: Dynamic, sigma: Dynamic| {
        lift(with_rng("lognormal", |rng| normal(rng, as_number(&mu)?, as_number(&sigma)?).map(f64::exp)))
    });
    volatile(module, "exponential", |mean: Dynamic| {
        lift(with_rng("exponential", |rng| exponential(rng, as_number(&mean)?)))
    });
    volatile(module, "poisson", |lambda: Dynamic| {
        lift(with_rng("poisson", |rng| poisson(rng, as_number(&lambda)?)))
    });
    volatile(module, "chance", |p: Dynamic| lift(with_rng("chance", |rng| chance(rng, as_number(&p)?))));
    volatile(module, "randint", |lo: INT, hi: INT| lift(with_rng("randint", |rng| randint(rng, lo, hi))));
    volatile(module, "pick", |items: Array| lift(with_rng("pick", |rng| pick(rng, &items))));
}
