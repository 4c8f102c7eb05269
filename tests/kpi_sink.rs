//! The long KPI table (`[sim] kpis = "long" | "both"`, `tsp run
//! --kpis-format`): a run of ocean_v3 with pool slots that are empty for most
//! of it, written both ways, read back cell for cell — the long table through
//! the Parquet reader's rows, independently of tokenspice's own reader —
//! against `kpis.csv`; the same seed giving the same bytes; the wide table
//! unchanged by also writing the long one; charts and `tsp plot` from the
//! long table alone; a bad format refused naming the netlist and the key.

use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use tokenspice::cli::run_to_dir;
use tokenspice::kpis::{read_kpis, read_long_kpis, KpiTable, COLUMNS_FILE, LONG_TABLE, WIDE_TABLE};
use tokenspice::netlist::load;

fn ocean_v3() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("netlists/ocean_v3.toml")
}

/// Run ocean_v3 for 90 days (a few pools of its planned slots) into `out`,
/// with `[sim] kpis = format`.
fn run_ocean(out: &Path, format: &str) {
    let set = ["sim.duration=\"90d\"".to_string(), format!("sim.kpis=\"{format}\"")];
    let loaded = load(&ocean_v3(), &set).expect("ocean_v3 loads");
    run_to_dir(&loaded, out, false).expect("the run succeeds");
}

/// The part files of a long table, in order.
fn parts(dir: &Path) -> Vec<PathBuf> {
    let mut parts: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .collect();
    parts.sort();
    parts
}

/// Every `(tick, kpi) -> (time_s, value)` of a long table, read row by row
/// with the Parquet reader; a cell given twice fails the test.
fn long_cells(dir: &Path) -> BTreeMap<(u64, String), (u64, f64)> {
    let mut cells = BTreeMap::new();
    for part in parts(dir) {
        let reader = SerializedFileReader::new(std::fs::File::open(&part).unwrap()).unwrap();
        for row in reader.get_row_iter(None).unwrap() {
            let fields: Vec<Field> = row.unwrap().get_column_iter().map(|(_, f)| f.clone()).collect();
            let [Field::Long(tick), Field::Long(time), Field::Str(kpi), Field::Double(value)] = &fields[..]
            else {
                panic!("{}: unexpected row {fields:?}", part.display());
            };
            let key = (u64::try_from(*tick).unwrap(), kpi.clone());
            let before = cells.insert(key.clone(), (u64::try_from(*time).unwrap(), *value));
            assert!(before.is_none(), "cell {key:?} written twice");
        }
    }
    cells
}

fn same_table(a: &KpiTable, b: &KpiTable) -> bool {
    let bits = |t: &KpiTable| -> Vec<Vec<u64>> {
        t.values
            .iter()
            .map(|c| c.iter().map(|v| if v.is_nan() { u64::MAX } else { v.to_bits() }).collect())
            .collect()
    };
    a.columns == b.columns && a.ticks == b.ticks && a.times == b.times && bits(a) == bits(b)
}

#[test]
fn the_long_table_holds_every_non_empty_wide_cell_once_and_nothing_else() {
    let both = tempfile::tempdir().unwrap();
    run_ocean(both.path(), "both");
    let wide = read_kpis(&both.path().join(WIDE_TABLE)).unwrap();
    let long_dir = both.path().join(LONG_TABLE);
    let cells = long_cells(&long_dir);

    let mut expected = 0;
    let mut empty = 0;
    for (row, (&tick, &time)) in wide.ticks.iter().zip(&wide.times).enumerate() {
        for (column, name) in wide.columns.iter().enumerate() {
            let value = wide.values[column][row];
            let cell = cells.get(&(tick, name.clone()));
            if value.is_nan() {
                empty += 1;
                assert!(cell.is_none(), "tick {tick}, {name}: empty in kpis.csv but in the long table");
            } else {
                expected += 1;
                let &(long_time, long_value) = cell
                    .unwrap_or_else(|| panic!("tick {tick}, {name} = {value}: missing from the long table"));
                assert_eq!((long_time, long_value.to_bits()), (time, value.to_bits()), "tick {tick}, {name}");
            }
        }
    }
    assert_eq!(cells.len(), expected, "the long table has cells kpis.csv does not");
    // Pool slots are empty until their pool is created: those cells are left out.
    assert!(empty > 0, "{empty} empty cells, {expected} with a value");
    assert!(wide.columns.iter().any(|c| c.starts_with("pool.")), "{:?}", wide.columns);

    // tokenspice's reader gives the wide table back, column order included.
    assert_eq!(
        std::fs::read_to_string(long_dir.join(COLUMNS_FILE)).unwrap().lines().count(),
        wide.columns.len()
    );
    assert!(same_table(&read_long_kpis(&long_dir).unwrap(), &wide));

    // Writing the long table too leaves kpis.csv byte for byte as a wide-only run.
    let wide_only = tempfile::tempdir().unwrap();
    run_ocean(wide_only.path(), "wide");
    assert_eq!(
        std::fs::read(both.path().join(WIDE_TABLE)).unwrap(),
        std::fs::read(wide_only.path().join(WIDE_TABLE)).unwrap()
    );
    assert!(!wide_only.path().join(LONG_TABLE).exists());

    // A long-only run: the same bytes as the long table of the run above,
    // no kpis.csv, and read_kpis of the missing kpis.csv reads the long table.
    let long_only = tempfile::tempdir().unwrap();
    run_ocean(long_only.path(), "long");
    assert!(!long_only.path().join(WIDE_TABLE).exists());
    let (first, second) = (parts(&long_dir), parts(&long_only.path().join(LONG_TABLE)));
    assert!(!first.is_empty());
    assert_eq!(first.len(), second.len());
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(a.file_name(), b.file_name());
        assert_eq!(std::fs::read(a).unwrap(), std::fs::read(b).unwrap(), "{} differs", a.display());
    }
    assert!(same_table(&read_kpis(&long_only.path().join(WIDE_TABLE)).unwrap(), &wide));
}

#[test]
fn charts_and_tsp_plot_work_from_the_long_table_alone() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("run");
    let run = Command::new(env!("CARGO_BIN_EXE_tsp"))
        .arg("run")
        .arg(ocean_v3())
        .args(["--set", "sim.duration=\"30d\"", "--kpis-format", "long", "--quiet", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(!dir.join(WIDE_TABLE).exists() && dir.join(LONG_TABLE).is_dir());
    let charts = |dir: &Path| {
        let mut svgs: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".svg"))
            .collect();
        svgs.sort();
        svgs
    };
    let drawn = charts(&dir);
    assert!(!drawn.is_empty(), "tsp run drew no chart from the long table");
    assert!(dir.join("report.html").is_file());
    let run_json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("run.json")).unwrap()).unwrap();
    assert_eq!(run_json["resolved"]["sim"]["kpis"], "long");

    for svg in &drawn {
        std::fs::remove_file(dir.join(svg)).unwrap();
    }
    let plot = Command::new(env!("CARGO_BIN_EXE_tsp")).arg("plot").arg(&dir).output().unwrap();
    assert!(plot.status.success(), "{}", String::from_utf8_lossy(&plot.stderr));
    assert_eq!(charts(&dir), drawn);
}

#[test]
fn a_bad_kpi_format_names_the_netlist_and_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let netlist = dir.path().join("tall.toml");
    let text =
        std::fs::read_to_string(ocean_v3()).unwrap().replacen("[sim]\n", "[sim]\nkpis = \"tall\"\n", 1);
    std::fs::write(&netlist, text).unwrap();
    let error = format!("{:#}", load(&netlist, &[]).unwrap_err());
    for needle in ["tall.toml", "[sim]", "kpis", "tall", "wide", "long", "both"] {
        assert!(error.contains(needle), "{needle:?} not in: {error}");
    }
    let error = format!("{:#}", load(&ocean_v3(), &["sim.kpis=\"csv\"".to_string()]).unwrap_err());
    for needle in ["ocean_v3.toml", "[sim]", "kpis", "csv", "wide"] {
        assert!(error.contains(needle), "{needle:?} not in: {error}");
    }
    let run = Command::new(env!("CARGO_BIN_EXE_tsp"))
        .arg("run")
        .arg(ocean_v3())
        .args(["--kpis-format", "tall", "--out"])
        .arg(dir.path().join("never"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success() && stderr.contains("--kpis-format") && stderr.contains("tall"), "{stderr}");
    assert!(!dir.path().join("never").exists());
}
