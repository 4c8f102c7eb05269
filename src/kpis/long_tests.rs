//! The long KPI table: round trip against the wide table (whole, and some
//! columns of either), parts, a killed writer, refusals and a damaged table.

use super::*;
use std::path::Path;

fn names(columns: &[&str]) -> Vec<String> {
    columns.iter().map(|s| (*s).to_owned()).collect()
}

fn parts(dir: &Path) -> Vec<String> {
    let mut parts: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    parts.retain(|name| name.starts_with("part-"));
    parts.sort();
    parts
}

/// Rows of three columns whose empty cells come and go, as pool slots do.
fn rows() -> Vec<[f64; 3]> {
    (0..10_u32)
        .map(|t| {
            let t = f64::from(t);
            let pool = if t >= 3.0 { t * 0.5 } else { f64::NAN };
            let late = if t >= 7.0 { -t } else { f64::NAN };
            [t, pool, late]
        })
        .collect()
}

fn same(a: &KpiTable, b: &KpiTable) {
    assert_eq!((&a.columns, &a.ticks, &a.times), (&b.columns, &b.ticks, &b.times));
    for (x, y) in a.values.iter().zip(&b.values) {
        let bits =
            |v: &[f64]| v.iter().map(|x| if x.is_nan() { u64::MAX } else { x.to_bits() }).collect::<Vec<_>>();
        assert_eq!(bits(x), bits(y));
    }
}

#[test]
fn long_table_reads_back_as_the_wide_table_across_parts() {
    let dir = tempfile::tempdir().unwrap();
    let columns = names(&["global.t", "pool.0.x", "pool.1.y"]);
    let csv = dir.path().join(WIDE_TABLE);
    let long = dir.path().join(LONG_TABLE);
    let mut wide = KpiWriter::create(&csv, columns.clone()).unwrap();
    // Parts of at least 4 cells: closed at the end of the row that fills them.
    let mut writer = LongKpiWriter::with_part_cells(&long, columns, 4).unwrap();
    for (tick, row) in rows().iter().enumerate() {
        wide.write_row(tick as u64, 60 * tick as u64, row).unwrap();
        writer.write_row(tick as u64, 60 * tick as u64, row).unwrap();
    }
    let cells = writer.cells_written();
    writer.finish().unwrap();
    wide.finish().unwrap();
    // 10 + 7 + 3 cells of 30 have a value.
    assert_eq!(cells, 20);
    assert!(parts(&long).len() >= 4, "{:?}", parts(&long));
    same(&read_long_kpis(&long).unwrap(), &read_kpis(&csv).unwrap());
    // Some columns only, from either table: the whole table's, less the others.
    let pools = |column: &str| column.starts_with("pool.");
    let mut expected = read_kpis(&csv).unwrap();
    expected.columns.remove(0);
    expected.values.remove(0);
    same(&read_kpis_where(&csv, &pools).unwrap(), &expected);
    // With kpis.csv gone, reading it reads the long table.
    std::fs::remove_file(&csv).unwrap();
    same(&read_kpis_where(&csv, &pools).unwrap(), &expected);
    let back = read_kpis(&csv).unwrap();
    assert_eq!(back.column("pool.1.y").unwrap()[9], -9.0);
    assert!(back.column("pool.0.x").unwrap()[2].is_nan());
}

#[test]
fn a_killed_writer_leaves_its_closed_parts_readable_and_a_new_one_replaces_them() {
    let dir = tempfile::tempdir().unwrap();
    let long = dir.path().join(LONG_TABLE);
    let columns = names(&["global.t", "pool.0.x", "pool.1.y"]);
    let mut writer = LongKpiWriter::with_part_cells(&long, columns.clone(), 5).unwrap();
    for (tick, row) in rows().iter().enumerate().take(6) {
        writer.write_row(tick as u64, tick as u64, row).unwrap();
    }
    // Dropped without finish: the cells of the part in progress are lost.
    drop(writer);
    let kept = read_long_kpis(&long).unwrap();
    assert_eq!(kept.ticks, vec![0, 1, 2, 3]);
    assert_eq!(kept.column("pool.0.x").unwrap()[3], 1.5);

    // A new table in the same folder starts clean, and an empty run still has a part.
    LongKpiWriter::create(&long, columns).unwrap().finish().unwrap();
    assert_eq!(parts(&long), vec!["part-00000000.parquet"]);
    let empty = read_long_kpis(&long).unwrap();
    assert_eq!(empty.columns.len(), 3);
    assert!(empty.is_empty());
}

#[test]
fn refusals_name_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let long = dir.path().join(LONG_TABLE);
    let error = LongKpiWriter::create(&long, names(&["tick"])).unwrap_err().to_string();
    assert!(error.contains("kpis.parquet") && error.contains("reserved"), "{error}");
    assert!(!long.exists(), "a refused table touched the disk");
    let mut writer = LongKpiWriter::create(&long, names(&["global.a", "global.b"])).unwrap();
    let error = writer.write_row(3, 0, &[1.0]).unwrap_err().to_string();
    assert!(error.contains("tick 3") && error.contains("expected 2"), "{error}");
    writer.write_row(1, 0, &[1.0, 2.0]).unwrap();
    writer.finish().unwrap();

    // A table naming a KPI its listing lacks, and a folder with no part.
    std::fs::write(long.join(COLUMNS_FILE), "global.a\n").unwrap();
    let error = read_long_kpis(&long).unwrap_err().to_string();
    assert!(error.contains("global.b") && error.contains(COLUMNS_FILE), "{error}");
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let error = read_long_kpis(&empty).unwrap_err().to_string();
    assert!(error.contains("no part-"), "{error}");
    // A part that is not Parquet.
    std::fs::write(long.join("part-00000000.parquet"), b"not parquet").unwrap();
    let error = read_long_kpis(&long).unwrap_err().to_string();
    assert!(error.contains("part-00000000.parquet"), "{error}");
}

#[test]
fn formats_parse_and_name_their_files() {
    assert_eq!("both".parse::<KpiFormat>().unwrap().files(), [WIDE_TABLE, LONG_TABLE]);
    assert_eq!(KpiFormat::default(), KpiFormat::Wide);
    let error = "tall".parse::<KpiFormat>().unwrap_err();
    assert!(error.contains("tall") && error.contains("wide, long, both"), "{error}");
}
