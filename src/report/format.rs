//! Text forms shared by the Markdown, CSV and HTML outputs: numbers to about
//! four significant digits, mean ± CI, paired differences, seeds and runs.

use super::stats::SeedStats;
use super::table::RunInfo;
use crate::models::criteria::Criterion;

/// A criterion's title with its unit: `No price spikes at the beginning (× opening price)`.
pub(crate) fn title_with_unit(c: &Criterion) -> String {
    format!("{} ({})", c.title, c.unit)
}

/// Seeds as text: `1..=5` for a contiguous range, else a list.
pub(crate) fn seed_list(seeds: &[u64]) -> String {
    match (seeds.first(), seeds.last()) {
        (Some(first), Some(last)) if seeds.len() > 1 && last - first + 1 == seeds.len() as u64 => {
            format!("seeds {first}..={last}")
        }
        _ => {
            let list: Vec<String> = seeds.iter().map(u64::to_string).collect();
            format!("{} {}", if list.len() == 1 { "seed" } else { "seeds" }, list.join(", "))
        }
    }
}

/// A run's provenance in one line.
pub(crate) fn run_text(run: &RunInfo) -> String {
    // An empty folder: the run's own report, which lives in it.
    let mut parts: Vec<String> = Some(&run.dir)
        .filter(|d| !d.as_os_str().is_empty())
        .map(|d| format!("`{}`", d.display()))
        .into_iter()
        .collect();
    parts.push(format!("design {}", run.design.as_deref().unwrap_or("n/a")));
    if let Some(netlist) = &run.netlist {
        parts.push(format!("netlist `{netlist}`"));
    }
    if let Some(seed) = run.seed {
        parts.push(format!("seed {seed}"));
    }
    parts.join(", ")
}

/// A number with about four significant digits.
pub(crate) fn number(value: f64) -> String {
    number_at(value, value.abs())
}

/// `value` with the decimals that give `scale` about four significant digits,
/// so a mean and its interval line up (`10.00 ± 0.00`, not `10.00 ± 7.6e-15`).
fn number_at(value: f64, scale: f64) -> String {
    if !value.is_finite() {
        return "n/a".to_owned();
    }
    if value == 0.0 && scale == 0.0 {
        return "0".to_owned();
    }
    if !(1e-4..1e9).contains(&scale) {
        return format!("{value:.3e}");
    }
    let decimals = (3 - scale.log10().floor() as i32).clamp(0, 7) as usize;
    format!("{value:.decimals$}")
}

pub(crate) fn stats_text(stats: &SeedStats) -> String {
    if stats.ci95_half_width.is_finite() {
        let scale = stats.mean.abs().max(stats.ci95_half_width);
        format!("{} ± {}", number_at(stats.mean, scale), number_at(stats.ci95_half_width, scale))
    } else {
        format!("{} (n={})", number(stats.mean), stats.n)
    }
}

/// A paired difference: `+0.12 ± 0.05 *` (`*` when the interval excludes 0).
pub(crate) fn diff_text(stats: &SeedStats) -> String {
    if stats.n == 0 {
        return "n/a".to_owned();
    }
    let sign = if stats.mean > 0.0 { "+" } else { "" };
    let star = if stats.excludes_zero() { " *" } else { "" };
    format!("{sign}{}{star}", stats_text(stats))
}

pub(crate) fn md_escape(text: &str) -> String {
    text.replace('|', "\\|")
}

pub(crate) fn push_md_row(out: &mut String, cells: &[String]) {
    out.push_str("| ");
    out.push_str(&cells.join(" | "));
    out.push_str(" |\n");
}

/// `1 seed`, `3 seeds`.
pub(crate) fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
