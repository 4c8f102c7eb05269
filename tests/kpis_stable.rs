//! Regressions are caught by bytes: every shipped netlist, run in full with
//! its own seed, gives a `kpis.csv` whose keccak256 matches the one stored in
//! `tests/data/kpis_keccak.txt`. A refactor keeps them; a change meant to
//! move results updates the file (`TOKENSPICE_BLESS=1`) and says why in the
//! commit.

use alloy_primitives::keccak256;
use std::path::Path;
use tokenspice::cli::run_to_dir;
use tokenspice::netlist::load;

const STORED: &str = "tests/data/kpis_keccak.txt";

fn stored() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(STORED)).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (name, hash) = l.split_once(' ').unwrap();
            (name.to_string(), hash.trim().to_string())
        })
        .collect()
}

#[test]
fn every_shipped_netlist_gives_its_stored_kpis_bytes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let expected = stored();
    let mut actual = Vec::new();
    for (name, _) in &expected {
        let loaded = load(&root.join("netlists").join(format!("{name}.toml")), &[]).unwrap();
        let dir = tempfile::tempdir().unwrap();
        run_to_dir(&loaded, dir.path(), false).unwrap();
        let bytes = std::fs::read(dir.path().join("kpis.csv")).unwrap();
        actual.push((name.clone(), keccak256(&bytes).to_string()));
    }
    if std::env::var_os("TOKENSPICE_BLESS").is_some() {
        let mut text =
            String::from("# keccak256 of each shipped netlist's kpis.csv (tests/kpis_stable.rs)\n");
        for (name, hash) in &actual {
            text.push_str(&format!("{name} {hash}\n"));
        }
        std::fs::write(root.join(STORED), text).unwrap();
        return;
    }
    assert_eq!(actual, expected, "kpis.csv bytes moved; if meant, rerun with TOKENSPICE_BLESS=1 and say why");
}
