//! Tests of the trace sink: records written, read back from both formats
//! with the parquet and csv crates' own readers, compared value by value.

use super::*;
use alloy_primitives::{address, b256, Address, Bytes, B256, U256};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use std::str::FromStr;

const ALICE: Address = address!("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
const ALICE_TEXT: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
const TOKEN: Address = address!("fb6916095ca1df60bb79ce92ce3ea74c37c5d359");
const TOKEN_TEXT: &str = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359";
/// 2^64 * 3 + 5: above 2^64, so neither an f64 nor a u64 column could hold it.
const BIG_WEI: &str = "55340232221128654853";
const TOPIC: B256 = b256!("ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
const TOPIC_TEXT: &str = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";

/// Rows read back: `(column, value as text, None for null)`.
type Rows = Vec<Vec<(String, Option<String>)>>;
/// Rows written out by hand.
type Expected = Vec<Vec<(&'static str, Option<String>)>>;

fn transactions() -> Vec<TxRecord> {
    vec![
        TxRecord {
            tick: 0,
            index: 0,
            from: ALICE,
            from_name: String::new(),
            to: None,
            to_name: String::new(),
            created: Some(TOKEN),
            created_name: "token".into(),
            function: "constructor".into(),
            args: String::new(),
            value_wei: U256::ZERO,
            status: TxStatus::Success,
            gas_used: 1_234_567,
            revert_reason: String::new(),
        },
        TxRecord {
            tick: 7,
            index: 1,
            from: ALICE,
            from_name: "alice".into(),
            to: Some(TOKEN),
            to_name: "token".into(),
            created: None,
            created_name: String::new(),
            function: "transfer(address,uint256)".into(),
            args: format!("to={ALICE_TEXT}; amount={BIG_WEI}"),
            value_wei: U256::from_str(BIG_WEI).expect("decimal"),
            status: TxStatus::Revert,
            gas_used: u64::MAX,
            revert_reason: "ERC20: insufficient balance, \"sorry\"\nsecond line".into(),
        },
        TxRecord {
            tick: u64::MAX,
            index: 2,
            from: TOKEN,
            from_name: "bot, the \"first\"".into(),
            to: Some(ALICE),
            to_name: "alice".into(),
            created: None,
            created_name: String::new(),
            function: "0xdeadbeef".into(),
            args: "data=0x".into(),
            value_wei: U256::MAX,
            status: TxStatus::Halt,
            gas_used: 0,
            revert_reason: "OutOfGas".into(),
        },
    ]
}

fn events() -> Vec<EventRecord> {
    vec![
        EventRecord {
            tick: 7,
            tx_index: 1,
            log_index: 0,
            address: TOKEN,
            contract: "token".into(),
            event: "Transfer".into(),
            fields: format!("from={ALICE_TEXT}; to={TOKEN_TEXT}; value={BIG_WEI}"),
            topics: vec![TOPIC, ALICE.into_word(), TOKEN.into_word()],
            data: Bytes::from(U256::from_str(BIG_WEI).expect("decimal").to_be_bytes_vec()),
        },
        EventRecord {
            tick: 7,
            tx_index: 1,
            log_index: u32::MAX,
            address: ALICE,
            contract: String::new(),
            event: String::new(),
            fields: String::new(),
            topics: vec![],
            data: Bytes::new(),
        },
        EventRecord {
            tick: 8,
            tx_index: 2,
            log_index: 3,
            address: ALICE,
            contract: "é, ünïcode".into(),
            event: "Anything".into(),
            fields: String::new(),
            topics: vec![B256::repeat_byte(1), B256::repeat_byte(2), B256::repeat_byte(3), B256::ZERO],
            data: Bytes::from(vec![0xab]),
        },
    ]
}

/// The rows the transactions table must hold, written out by hand.
fn expected_transactions() -> Expected {
    let row = |values: [(&'static str, Option<&str>); 14]| {
        values.iter().map(|(name, value)| (*name, value.map(str::to_string))).collect::<Vec<_>>()
    };
    let args = format!("to={ALICE_TEXT}; amount={BIG_WEI}");
    let max = U256::MAX.to_string();
    vec![
        row([
            ("tick", Some("0")),
            ("tx_index", Some("0")),
            ("from_address", Some(ALICE_TEXT)),
            ("from_name", Some("")),
            ("to_address", None),
            ("to_name", Some("")),
            ("created_address", Some(TOKEN_TEXT)),
            ("created_name", Some("token")),
            ("function", Some("constructor")),
            ("args", Some("")),
            ("value_wei", Some("0")),
            ("status", Some("success")),
            ("gas_used", Some("1234567")),
            ("revert_reason", Some("")),
        ]),
        row([
            ("tick", Some("7")),
            ("tx_index", Some("1")),
            ("from_address", Some(ALICE_TEXT)),
            ("from_name", Some("alice")),
            ("to_address", Some(TOKEN_TEXT)),
            ("to_name", Some("token")),
            ("created_address", None),
            ("created_name", Some("")),
            ("function", Some("transfer(address,uint256)")),
            ("args", Some(&args)),
            ("value_wei", Some(BIG_WEI)),
            ("status", Some("revert")),
            ("gas_used", Some("18446744073709551615")),
            ("revert_reason", Some("ERC20: insufficient balance, \"sorry\"\nsecond line")),
        ]),
        row([
            ("tick", Some("18446744073709551615")),
            ("tx_index", Some("2")),
            ("from_address", Some(TOKEN_TEXT)),
            ("from_name", Some("bot, the \"first\"")),
            ("to_address", Some(ALICE_TEXT)),
            ("to_name", Some("alice")),
            ("created_address", None),
            ("created_name", Some("")),
            ("function", Some("0xdeadbeef")),
            ("args", Some("data=0x")),
            ("value_wei", Some(&max)),
            ("status", Some("halt")),
            ("gas_used", Some("0")),
            ("revert_reason", Some("OutOfGas")),
        ]),
    ]
}

/// The rows the events table must hold, written out by hand.
fn expected_events() -> Expected {
    let row = |values: [(&'static str, Option<&str>); 12]| {
        values.iter().map(|(name, value)| (*name, value.map(str::to_string))).collect::<Vec<_>>()
    };
    let fields = format!("from={ALICE_TEXT}; to={TOKEN_TEXT}; value={BIG_WEI}");
    let ones = format!("0x{}", "01".repeat(32));
    let twos = format!("0x{}", "02".repeat(32));
    let threes = format!("0x{}", "03".repeat(32));
    let zeros = format!("0x{}", "00".repeat(32));
    vec![
        row([
            ("tick", Some("7")),
            ("tx_index", Some("1")),
            ("log_index", Some("0")),
            ("contract_address", Some(TOKEN_TEXT)),
            ("contract_name", Some("token")),
            ("event", Some("Transfer")),
            ("fields", Some(&fields)),
            ("topic0", Some(TOPIC_TEXT)),
            ("topic1", Some("0x0000000000000000000000005aaeb6053f3e94c9b9a09f33669435e7ef1beaed")),
            ("topic2", Some("0x000000000000000000000000fb6916095ca1df60bb79ce92ce3ea74c37c5d359")),
            ("topic3", None),
            ("data", Some("0x0000000000000000000000000000000000000000000000030000000000000005")),
        ]),
        row([
            ("tick", Some("7")),
            ("tx_index", Some("1")),
            ("log_index", Some("4294967295")),
            ("contract_address", Some(ALICE_TEXT)),
            ("contract_name", Some("")),
            ("event", Some("")),
            ("fields", Some("")),
            ("topic0", None),
            ("topic1", None),
            ("topic2", None),
            ("topic3", None),
            ("data", Some("0x")),
        ]),
        row([
            ("tick", Some("8")),
            ("tx_index", Some("2")),
            ("log_index", Some("3")),
            ("contract_address", Some(ALICE_TEXT)),
            ("contract_name", Some("é, ünïcode")),
            ("event", Some("Anything")),
            ("fields", Some("")),
            ("topic0", Some(&ones)),
            ("topic1", Some(&twos)),
            ("topic2", Some(&threes)),
            ("topic3", Some(&zeros)),
            ("data", Some("0xab")),
        ]),
    ]
}

/// Columns that must be integers in Parquet, with their width.
fn integer_width(column: &str) -> Option<u32> {
    match column {
        "tick" | "tx_index" | "gas_used" => Some(64),
        "log_index" => Some(32),
        _ => None,
    }
}

/// Read a Parquet file with the parquet crate's row reader: each row as
/// `(column, value as text or None for null)`, checking each value's type.
fn read_parquet(path: &Path) -> (usize, Rows) {
    let file = std::fs::File::open(path).expect("parquet file exists");
    let reader = SerializedFileReader::new(file).expect("a readable parquet file");
    let groups = reader.metadata().num_row_groups();
    for group in reader.metadata().row_groups() {
        for column in group.columns() {
            assert_eq!(column.compression(), parquet::basic::Compression::SNAPPY);
        }
    }
    let rows = reader
        .get_row_iter(None)
        .expect("rows")
        .map(|row| {
            let row = row.expect("a row");
            row.into_columns()
                .into_iter()
                .map(|(name, field)| {
                    let width = integer_width(&name);
                    let value = match field {
                        Field::ULong(value) if width == Some(64) => Some(value.to_string()),
                        Field::UInt(value) if width == Some(32) => Some(value.to_string()),
                        Field::Str(text) if width.is_none() => Some(text),
                        Field::Null if width.is_none() => None,
                        other => panic!("column {name}: unexpected {other:?}"),
                    };
                    (name, value)
                })
                .collect()
        })
        .collect();
    (groups, rows)
}

/// Read a CSV file with the csv crate: the header, then each row as
/// `(column, value)` with an empty field read as `None` where the column may
/// be null.
fn read_csv(path: &Path) -> Rows {
    let mut reader = csv::Reader::from_path(path).expect("csv file exists");
    let header: Vec<String> = reader.headers().expect("header").iter().map(str::to_string).collect();
    let nullable =
        |name: &str| name == "to_address" || name == "created_address" || name.starts_with("topic");
    reader
        .records()
        .map(|record| {
            let record = record.expect("a complete row");
            assert_eq!(record.len(), header.len());
            header
                .iter()
                .zip(record.iter())
                .map(|(name, value)| {
                    let value = (!(value.is_empty() && nullable(name))).then(|| value.to_string());
                    (name.clone(), value)
                })
                .collect()
        })
        .collect()
}

fn owned(rows: Expected) -> Rows {
    rows.into_iter()
        .map(|row| row.into_iter().map(|(name, value)| (name.to_string(), value)).collect())
        .collect()
}

fn write_trace(dir: &Path, rows_per_group: usize) -> TraceWriter {
    let mut writer = TraceWriter::with_row_group_rows(dir, rows_per_group).expect("create");
    for tx in transactions() {
        writer.tx(&tx).expect("tx row");
    }
    for event in events() {
        writer.event(&event).expect("event row");
    }
    writer
}

#[test]
fn parquet_and_csv_hold_every_value_exactly() {
    for (rows_per_group, groups) in [(ROW_GROUP_ROWS, 1), (2, 2), (1, 3)] {
        let dir = tempfile::tempdir().expect("tempdir");
        let writer = write_trace(dir.path(), rows_per_group);
        assert_eq!((writer.transactions_written(), writer.events_written()), (3, 3));
        writer.finish().expect("finish");

        let (tx_groups, tx_rows) = read_parquet(&dir.path().join(TRANSACTIONS_PARQUET));
        assert_eq!(tx_groups, groups, "row groups of {rows_per_group} rows");
        assert_eq!(tx_rows, owned(expected_transactions()));
        let (event_groups, event_rows) = read_parquet(&dir.path().join(EVENTS_PARQUET));
        assert_eq!(event_groups, groups);
        assert_eq!(event_rows, owned(expected_events()));

        assert_eq!(read_csv(&dir.path().join(TRANSACTIONS_CSV)), owned(expected_transactions()));
        assert_eq!(read_csv(&dir.path().join(EVENTS_CSV)), owned(expected_events()));
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .expect("dir")
            .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".partial"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}

#[test]
fn the_same_records_give_the_same_bytes() {
    let first = tempfile::tempdir().expect("tempdir");
    let second = tempfile::tempdir().expect("tempdir");
    write_trace(first.path(), 2).finish().expect("finish");
    write_trace(second.path(), 2).finish().expect("finish");
    for file in [TRANSACTIONS_CSV, TRANSACTIONS_PARQUET, EVENTS_CSV, EVENTS_PARQUET] {
        let read = |dir: &Path| std::fs::read(dir.join(file)).expect("trace file");
        assert_eq!(read(first.path()), read(second.path()), "{file}");
    }
}

#[test]
fn an_empty_trace_is_two_headers_and_two_empty_tables() {
    let dir = tempfile::tempdir().expect("tempdir");
    TraceWriter::create(dir.path()).expect("create").finish().expect("finish");
    let header = std::fs::read_to_string(dir.path().join(TRANSACTIONS_CSV)).expect("csv");
    assert_eq!(
        header,
        "tick,tx_index,from_address,from_name,to_address,to_name,created_address,created_name,function,args,value_wei,status,gas_used,revert_reason\n"
    );
    let header = std::fs::read_to_string(dir.path().join(EVENTS_CSV)).expect("csv");
    assert_eq!(
        header,
        "tick,tx_index,log_index,contract_address,contract_name,event,fields,topic0,topic1,topic2,topic3,data\n"
    );
    assert_eq!(read_parquet(&dir.path().join(TRANSACTIONS_PARQUET)), (0, vec![]));
    assert_eq!(read_parquet(&dir.path().join(EVENTS_PARQUET)), (0, vec![]));
}

#[test]
fn a_run_that_stops_early_leaves_complete_csv_rows_and_no_parquet() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_trace(dir.path(), 2).finish().expect("an earlier run");
    assert!(dir.path().join(TRANSACTIONS_PARQUET).exists());

    // A second run in the same directory that never finishes.
    let unfinished = write_trace(dir.path(), 2);
    assert!(
        !dir.path().join(TRANSACTIONS_PARQUET).exists(),
        "the earlier run's parquet is not left beside new CSV"
    );
    std::mem::forget(unfinished); // as if killed: no destructor, no finish
    assert_eq!(read_csv(&dir.path().join(TRANSACTIONS_CSV)), owned(expected_transactions()));
    assert_eq!(read_csv(&dir.path().join(EVENTS_CSV)), owned(expected_events()));
    assert!(!dir.path().join(EVENTS_PARQUET).exists());
    assert!(dir.path().join("events.parquet.partial").exists());
}

#[test]
fn an_event_with_five_topics_is_refused_and_not_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut writer = TraceWriter::create(dir.path()).expect("create");
    let mut event = events().remove(2);
    event.topics.push(TOPIC);
    let error = writer.event(&event).expect_err("five topics");
    assert!(
        matches!(error, TraceError::TooManyTopics { topics: 5, tx_index: 2, log_index: 3, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("events.csv"), "{error}");
    assert_eq!(writer.events_written(), 0);
    writer.finish().expect("finish");
    assert!(read_csv(&dir.path().join(EVENTS_CSV)).is_empty());
    assert_eq!(read_parquet(&dir.path().join(EVENTS_PARQUET)), (0, vec![]));
}

#[test]
fn a_directory_that_cannot_be_made_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, "a file").expect("write");
    let error = TraceWriter::create(&blocker.join("trace")).expect_err("a file is in the way");
    assert!(matches!(error, TraceError::Io { action: "create", .. }), "{error}");
    assert!(error.to_string().contains("not-a-dir"), "{error}");
}
