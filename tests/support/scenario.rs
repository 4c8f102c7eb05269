//! Running a netlist written inline by a test: its KPIs and run.json.

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
