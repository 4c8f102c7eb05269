//! Running a netlist written inline by a test: its KPIs and run.json; the
//! small netlists several tests start from.

// Every test binary that includes this file uses a different subset of it.
#![allow(dead_code)]

use tokenspice::cli::run_to_dir;
use tokenspice::kpis::{read_kpis, KpiTable};
use tokenspice::netlist::load;

/// Write `text` as a netlist in a temporary directory, run it, and return
/// the KPI table and run.json.
pub(crate) fn run_text(text: &str) -> (KpiTable, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scenario.toml");
    std::fs::write(&file, text).unwrap();
    let loaded = load(&file, &[]).unwrap();
    let out = dir.path().join("out");
    run_to_dir(&loaded, &out, false).unwrap();
    let table = read_kpis(&out.join("kpis.csv")).unwrap();
    let run = serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    (table, run)
}

/// A netlist of `ticks` ticks of `tick` with one V3 publisher, "pub", that
/// seeds a pool with `ocean_in_pool` OCEAN (weight 7) and 100 DT (weight 3),
/// fee 0.1%, at tick 0. Tests add agents.
pub(crate) fn publisher_netlist(tick: &str, ticks: u64, ocean_in_pool: f64) -> String {
    format!(
        r#"
[sim]
name = "scenario"
tick = "{tick}"
ticks = {ticks}
shuffle = false

[[agent]]
type = "publisher"
name = "pub"
ocean = 10000.0
every = "365d"
dt_mint = 1000.0
dt_in_pool = 100.0
ocean_in_pool = {ocean_in_pool:?}
"#
    )
}

/// A daily netlist of `ticks` days: a malicious publisher whose pool (1,000
/// OCEAN, 100 DT) it rugs after `rug_after`, and a scripted victim holding
/// `victim_ocean` OCEAN that stakes 500 of it on day 1. Tests add agents.
pub(crate) fn rug_netlist(ticks: u64, rug_after: &str, victim_ocean: f64) -> String {
    format!(
        r#"
[sim]
name = "rug"
tick = "1d"
ticks = {ticks}
shuffle = false

[[agent]]
type = "malicious_publisher"
name = "rugger"
ocean = 10000.0
every = "365d"
dt_mint = 1000.0
dt_in_pool = 100.0
ocean_in_pool = 1000.0
rug_after = "{rug_after}"

[[agent]]
type = "scripted"
name = "victim"
fund = {{ "@ocean" = {victim_ocean:?} }}
actions = [ {{ at = "1d", do = "stake", pool = 0, ocean = 500.0 }} ]
"#
    )
}
