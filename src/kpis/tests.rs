//! Round trips, refusals and interrupted runs of the KPI writer and reader.

use super::*;
use std::path::Path;

fn names(columns: &[&str]) -> Vec<String> {
    columns.iter().map(|s| (*s).to_owned()).collect()
}

fn lines(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.is_empty() || text.ends_with('\n'), "file ends mid-line: {text:?}");
    text.lines().map(str::to_owned).collect()
}

#[test]
fn round_trip_is_exact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kpis.csv");
    let columns = names(&["pool.dt1.spot_price", "agent.alice.usd", "global.consumes"]);
    let rows: Vec<[f64; 3]> = vec![
        [0.1 + 0.2, 1e-300, f64::MAX],
        [f64::NAN, f64::INFINITY, f64::NEG_INFINITY],
        [3.0, -0.0, 5e-324],
        [f64::MIN_POSITIVE, -1.234_567_890_123_456_7e-7, 1e22],
    ];
    let mut writer = KpiWriter::create(&path, columns.clone()).unwrap();
    for (tick, row) in rows.iter().enumerate() {
        writer.write_row(tick as u64, 3600 * tick as u64, row).unwrap();
    }
    assert_eq!(writer.rows_written(), 4);
    writer.finish().unwrap();

    let text = lines(&path);
    assert_eq!(text[0], "tick,time_s,pool.dt1.spot_price,agent.alice.usd,global.consumes");
    assert_eq!(text[1], "0,0,0.30000000000000004,1e-300,1.7976931348623157e308");
    assert_eq!(text[2], "1,3600,NaN,inf,-inf");
    assert_eq!(text[3], "2,7200,3,-0,5e-324");

    let table = read_kpis(&path).unwrap();
    assert_eq!(table.columns, columns);
    assert_eq!(table.ticks, [0, 1, 2, 3]);
    assert_eq!(table.times, [0, 3600, 7200, 10800]);
    assert_eq!(table.len(), 4);
    for (c, column) in columns.iter().enumerate() {
        let read = table.column(column).unwrap();
        for (r, row) in rows.iter().enumerate() {
            let (want, got) = (row[c], read[r]);
            assert!(
                want.to_bits() == got.to_bits() || (want.is_nan() && got.is_nan()),
                "{column} row {r}: wrote {want:e}, read {got:e}"
            );
        }
    }
    assert!(table.column("tick").is_none());
    assert!(table.column("pool.dt2.spot_price").is_none());
}

#[test]
fn same_rows_give_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str| {
        let path = dir.path().join(name);
        let mut writer = KpiWriter::create(&path, names(&["global.x", "global.y"])).unwrap();
        for tick in 0..50_u64 {
            let t = tick as f64;
            writer.write_row(tick, tick * 60, &[(t * 0.37).sin(), t.exp()]).unwrap();
        }
        writer.finish().unwrap();
        std::fs::read(path).unwrap()
    };
    assert_eq!(write("a.csv"), write("b.csv"));
}

#[test]
fn wrong_row_length_is_refused_and_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kpis.csv");
    let mut writer = KpiWriter::create(&path, names(&["global.a", "global.b"])).unwrap();
    writer.write_row(0, 0, &[1.0, 2.0]).unwrap();
    let error = writer.write_row(7, 70, &[1.0]).unwrap_err();
    assert!(matches!(error, KpiError::RowLength { tick: 7, expected: 2, got: 1, .. }), "{error:?}");
    let message = error.to_string();
    for needle in ["kpis.csv", "tick 7", "has 1 values", "expected 2"] {
        assert!(message.contains(needle), "{message:?} lacks {needle:?}");
    }
    // The writer stays usable and the file holds only the good rows.
    writer.write_row(8, 80, &[3.0, 4.0]).unwrap();
    drop(writer);
    assert_eq!(lines(&path), ["tick,time_s,global.a,global.b", "0,0,1,2", "8,80,3,4"]);
}

#[test]
fn bad_column_names_are_refused_before_the_file_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kpis.csv");
    let cases: [(&[&str], &str, &str); 5] = [
        (&["global.a", "tick"], "tick", "reserved"),
        (&["time_s"], "time_s", "reserved"),
        (&["global.a", "global.a"], "global.a", "duplicate"),
        (&["global.a", ""], "", "empty"),
        (&["consumes"], "consumes", "<scope>.<quantity>"),
    ];
    for (columns, bad, why) in cases {
        let error = KpiWriter::create(&path, names(columns)).unwrap_err();
        let KpiError::BadColumn { file, column, problem } = &error else { panic!("{error:?}") };
        assert_eq!(file, &path);
        assert_eq!(column, bad);
        assert!(problem.contains(why), "{problem:?} lacks {why:?}");
        assert!(error.to_string().contains("kpis.csv"));
        assert!(!path.exists());
    }
}

#[test]
fn interrupted_writer_leaves_only_complete_rows() {
    let dir = tempfile::tempdir().unwrap();
    let columns = names(&["pool.dt1.spot_price", "agent.alice.usd"]);
    let row = |tick: u64| [1.0 / (tick as f64 + 3.0), 1e-9 * tick as f64];

    // Read while the writer is alive: every returned row is already on disk.
    let live = dir.path().join("live.csv");
    let mut writer = KpiWriter::create(&live, columns.clone()).unwrap();
    assert_eq!(lines(&live).len(), 1, "header is flushed at once");
    for tick in 0..5 {
        writer.write_row(tick, tick * 86_400, &row(tick)).unwrap();
        let table = read_kpis(&live).unwrap();
        assert_eq!(table.len() as u64, tick + 1);
        assert_eq!(table.column("agent.alice.usd").unwrap()[tick as usize], row(tick)[1]);
    }
    assert_eq!(lines(&live).len(), 6);

    // Dropped without finish().
    drop(writer);
    assert_eq!(read_kpis(&live).unwrap().len(), 5);

    // "Killed": no destructor runs at all, as when the process dies.
    let killed = dir.path().join("killed.csv");
    let mut writer = KpiWriter::create(&killed, columns).unwrap();
    for tick in 0..7 {
        writer.write_row(tick, tick * 60, &row(tick)).unwrap();
    }
    std::mem::forget(writer);
    let table = read_kpis(&killed).unwrap();
    assert_eq!(table.ticks, (0..7).collect::<Vec<_>>());
    assert_eq!(lines(&killed).len(), 8);
}

#[test]
fn malformed_files_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("empty.csv", "", 1, "empty file"),
        ("header.csv", "time_s,tick,global.a\n", 1, "header must start"),
        ("short.csv", "tick,time_s,global.a,global.b\n0,0,1,2\n1,60,3\n", 3, "3 fields, expected 4"),
        ("number.csv", "tick,time_s,global.a\n0,0,1\n1,60,x2\n", 3, "global.a: \"x2\""),
        ("tick.csv", "tick,time_s,global.a\n0,0,1\n-1,60,2\n", 3, "tick \"-1\""),
    ];
    for (name, text, line_no, needle) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let error = read_kpis(&path).unwrap_err();
        let KpiError::Malformed { file, line, problem } = &error else { panic!("{name}: {error:?}") };
        assert_eq!(file, &path);
        assert_eq!(*line, line_no, "{name}: {error}");
        assert!(problem.contains(needle), "{name}: {problem:?} lacks {needle:?}");
        assert!(error.to_string().contains(name), "{error}");
    }
    let duplicate = dir.path().join("dup.csv");
    std::fs::write(&duplicate, "tick,time_s,global.a,global.a\n").unwrap();
    assert!(matches!(read_kpis(&duplicate), Err(KpiError::BadColumn { .. })));
    let missing = dir.path().join("missing.csv");
    let error = read_kpis(&missing).unwrap_err();
    assert!(matches!(error, KpiError::Io { .. }) && error.to_string().contains("missing.csv"), "{error}");
}

#[test]
fn header_only_file_is_an_empty_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kpis.csv");
    KpiWriter::create(&path, names(&["global.a"])).unwrap().finish().unwrap();
    let table = read_kpis(&path).unwrap();
    assert!(table.is_empty());
    assert_eq!(table.column("global.a"), Some(&[][..]));
}
