//! The wsloop model end to end: the shipped netlist runs 20 years monthly;
//! the minted OCEAN follows the closed form of each schedule and stops after
//! the last halving; the growth column is the growth function of the ratio
//! column; 5% of network revenue buys and burns OCEAN every month; the same
//! seed gives the same bytes; bad parameters are refused with the key named.

use std::path::{Path, PathBuf};
use tokenspice::cli::{run_to_dir, write_charts};
use tokenspice::kpis::{read_kpis, KpiTable};
use tokenspice::models::wsloop::growth::GrowthParams;
use tokenspice::netlist::load;

const ALLOCATION: f64 = 1.41e9 * 0.51;
const SPECULATIVE_START: f64 = 150e6;

fn netlist() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("netlists/wsloop.toml")
}

fn run(sets: &[&str]) -> (tempfile::TempDir, KpiTable, Vec<u8>) {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let loaded = load(&netlist(), &sets).unwrap();
    let dir = tempfile::tempdir().unwrap();
    run_to_dir(&loaded, dir.path(), false).unwrap();
    let table = read_kpis(&dir.path().join("kpis.csv")).unwrap();
    let bytes = std::fs::read(dir.path().join("kpis.csv")).unwrap();
    (dir, table, bytes)
}

fn column<'a>(table: &'a KpiTable, name: &str) -> &'a [f64] {
    table.column(name).unwrap_or_else(|| panic!("no column {name}"))
}

fn close(actual: f64, expected: f64, relative: f64) -> bool {
    (actual - expected).abs() <= relative * expected.abs().max(f64::MIN_POSITIVE)
}

/// The exponential curve's minted fraction, written independently of the model.
fn halving(t: f64, half_life: f64) -> f64 {
    1.0 - 0.5f64.powf(t / half_life)
}

#[test]
fn twenty_years_monthly_with_charts() {
    let (dir, table, _) = run(&[]);
    assert_eq!(column(&table, "global.ocean_minted").len(), 240);
    let (charts, _) = write_charts(&load(&netlist(), &[]).unwrap(), dir.path(), false).unwrap();
    assert!(charts.len() >= 3 && charts.iter().all(|c| c.png.is_file() && c.svg.is_file()), "{charts:?}");
    assert_eq!(*column(&table, "global.reverts").last().unwrap(), 0.0);
}

#[test]
fn minted_by_month_48_is_the_closed_form_of_each_schedule() {
    let h = 4.0;
    // (multiplier, phase start, phase end): x0.10 to 0.5 y, x0.25 to 1.0 y, x0.50 to 2.5 y, then x1.
    let phases = [(0.10, 0.0, 0.5), (0.25, 0.5, 1.0), (0.50, 1.0, 2.5), (1.0, 2.5, 4.0)];
    let ratcheted: f64 = phases.iter().map(|&(m, from, to)| m * (halving(to, h) - halving(from, h))).sum();
    for (schedule, fraction) in [("ratcheted", ratcheted), ("exponential", 0.5), ("uniform", 0.4)] {
        let (_, table, _) = run(&[&format!("wsloop.schedule={schedule}")]);
        let minted: f64 = column(&table, "global.ocean_minted")[..48].iter().sum();
        let expected = ALLOCATION * fraction;
        assert!(close(minted, expected, 1e-9), "{schedule}: minted {minted}, closed form {expected}");
        let total = column(&table, "agent.minter.minted_total_ocean")[47];
        assert!(close(total, expected, 1e-9), "{schedule}: minter's total {total}, closed form {expected}");
        // The supply on chain is the initial supply plus what was minted, less what was burned.
        let burned: f64 = column(&table, "global.ocean_burned")[..48].iter().sum();
        let supply = column(&table, "global.ocean_supply")[47];
        assert!(close(supply, 1.41e9 - ALLOCATION + minted - burned, 1e-9), "{schedule}: supply {supply}");
    }
}

#[test]
fn minting_stops_after_34_halvings() {
    // A half-life of 3 months puts the 34th halving at 8.5 years: month 102.
    for schedule in ["ratcheted", "exponential"] {
        let (_, table, _) = run(&[
            &format!("wsloop.schedule={schedule}"),
            "wsloop.half_life_years=0.25",
            "wsloop.ramp_years=[0.05,0.1,0.15]",
        ]);
        let minted = column(&table, "global.ocean_minted");
        assert!(minted[..102].iter().all(|&m| m > 0.0), "{schedule}: {:?}", &minted[95..102]);
        assert!(minted[102..].iter().all(|&m| m == 0.0), "{schedule}: {:?}", &minted[102..110]);
    }
}

#[test]
fn growth_function_at_the_seed_anchor_points() {
    let g = GrowthParams::SEED;
    let (low, high) = (-0.118, 0.415);
    let total = |component: f64| (1.0 + component).mul_add(1.0 + component, -1.0);
    let share_of_range = |share: f64| share.mul_add(high - low, low);
    assert!(close(g.total(0.0), total(low), 1e-12));
    // The seed calls the total at ratio 0 "-25%": (1 - 11.8%)^2 - 1 is -22.2%.
    assert!((g.total(0.0) - -0.222).abs() < 1e-3);
    assert!(close(g.component(0.6), share_of_range(0.5), 1e-12));
    assert!(close(g.component(1.2), share_of_range(0.75), 1e-12));
    assert!(close(g.component(1e9), high, 1e-12));
    assert!((g.total(1e9) - 1.0).abs() < 3e-3, "about +100% a year at most");
    // The run grows by the function of the ratio it reports.
    let (_, table, _) = run(&[]);
    let (ratio, growth) = (column(&table, "global.rnd_sales_ratio"), column(&table, "global.growth_rate"));
    for (month, (&r, &rate)) in ratio.iter().zip(growth).enumerate() {
        assert!(
            close(rate, g.total(r), 1e-12) || rate == g.total(r),
            "month {month}: ratio {r}, growth {rate}"
        );
    }
}

#[test]
fn five_percent_of_network_revenue_buys_and_burns_ocean_every_month() {
    let (_, table, _) = run(&[]);
    let revenue = column(&table, "global.network_revenue_usd");
    let burned = column(&table, "global.ocean_burned");
    let price = column(&table, "global.ocean_price_usd");
    // The router buys at the price of the month before (at the start: speculation over the initial supply).
    let start_price = SPECULATIVE_START / (1.41e9 - ALLOCATION);
    for month in 0..revenue.len() {
        let paid = if month == 0 { start_price } else { price[month - 1] };
        let burned_usd = burned[month] * paid;
        assert!(revenue[month] > 0.0);
        assert!(
            close(burned_usd, 0.05 * revenue[month], 1e-9),
            "month {month}: {burned_usd} vs {}",
            revenue[month]
        );
    }
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let (_, _, first) = run(&[]);
    let (_, _, second) = run(&[]);
    assert_eq!(first, second);
}

#[test]
fn bad_parameters_are_refused_naming_the_key() {
    let cases = [
        ("wsloop.allocation_fraction=1.5", "allocation_fraction = 1.5 must be between 0 and 1"),
        ("wsloop.schedule=linear", "ratcheted"),
        ("wsloop.half_life_years=-4", "half_life_years = -4 must be more than 0"),
        ("wsloop.ramp_years=[0.5,0.2,2.5]", "ramp_years[1]"),
        ("wsloop.ramp_multipliers=[0.1,0.2]", "one multiplier per phase"),
        ("wsloop.speed=2", "speed"),
        ("agent.router.burn_fraction=1.5", "burn_fraction = 1.5 must be between 0 and 1"),
        ("agent.marketplaces.tau=0", "tau = 0 must be"),
        ("agent.opf.months=0", "months = 0 must be more than 0"),
        ("agent.router.to=\"rnd\"", "must be a wsloop_dao"),
        ("agent.dao.grant_takers=[\"nobody\"]", "nobody"),
    ];
    for (set, expected) in cases {
        let error = load(&netlist(), &[set.to_string()]).unwrap_err();
        let shown = format!("{error:#}");
        assert!(shown.contains(expected), "--set {set}: {shown}");
    }
}
