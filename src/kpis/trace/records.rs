//! The rows of a trace: one [`TxRecord`] per committed transaction, one
//! [`EventRecord`] per log, and their columns.

use super::columns::{Column, ColumnValue};
use alloy_primitives::{hex, Address, Bytes, B256, U256};

/// How a transaction ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TxStatus {
    /// It succeeded.
    Success,
    /// It reverted (its state changes were discarded).
    Revert,
    /// It halted (out of gas, invalid opcode, ...).
    Halt,
}

impl TxStatus {
    /// The `status` column's text: `success`, `revert` or `halt`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Revert => "revert",
            Self::Halt => "halt",
        }
    }
}

/// One transaction of the run, as a row of `transactions.csv` / `.parquet`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxRecord {
    /// Tick at which it was sent (column `tick`).
    pub tick: u64,
    /// Run-wide number of the transaction, from 0 (column `tx_index`; the
    /// events of this transaction carry the same number).
    pub index: u64,
    /// The sender (column `from_address`, checksummed).
    pub from: Address,
    /// The sender's address-book name, empty if it has none (`from_name`).
    pub from_name: String,
    /// The receiver; `None` for a deployment (column `to_address`: null in
    /// Parquet, empty in CSV).
    pub to: Option<Address>,
    /// The receiver's address-book name, empty if it has none (`to_name`).
    pub to_name: String,
    /// The contract a successful deployment created; `None` for calls and
    /// failed deployments (column `created_address`: null in Parquet, empty
    /// in CSV).
    pub created: Option<Address>,
    /// The created contract's address-book name, empty if it has none
    /// (column `created_name`).
    pub created_name: String,
    /// The function called (`transfer(address,uint256)`, `constructor`, a
    /// selector as `0x` hex when unknown) (column `function`).
    pub function: String,
    /// The arguments as `name=value; ...`, values exact (column `args`).
    pub args: String,
    /// ETH sent with it, in wei (column `value_wei`, a decimal string).
    pub value_wei: U256,
    /// How it ended (column `status`: `success`, `revert` or `halt`).
    pub status: TxStatus,
    /// Gas used, after refunds (column `gas_used`).
    pub gas_used: u64,
    /// Why it reverted or halted; empty on success (column `revert_reason`).
    pub revert_reason: String,
}

/// One log emitted by a transaction, as a row of `events.csv` / `.parquet`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    /// Tick of the transaction (column `tick`).
    pub tick: u64,
    /// Run-wide number of the transaction that emitted it (column `tx_index`).
    pub tx_index: u64,
    /// Position of the log among its transaction's logs, from 0 (`log_index`).
    pub log_index: u32,
    /// The emitting contract (column `contract_address`, checksummed).
    pub address: Address,
    /// The emitting contract's address-book name, empty if it has none
    /// (column `contract_name`).
    pub contract: String,
    /// The event's name (`Transfer`); empty when no known ABI decodes it
    /// (column `event`).
    pub event: String,
    /// The decoded fields as `name=value; ...`, values exact; empty when not
    /// decoded (column `fields`).
    pub fields: String,
    /// The raw topics, at most four (columns `topic0` .. `topic3`, `0x` hex;
    /// a missing topic is null in Parquet, empty in CSV).
    pub topics: Vec<B256>,
    /// The raw data (column `data`, `0x` hex).
    pub data: Bytes,
}

fn checksummed(address: &Address) -> String {
    address.to_checksum(None)
}

/// Columns of `transactions.csv` and `transactions.parquet`.
pub(super) const TX_COLUMNS: &[Column<TxRecord>] = &[
    Column { name: "tick", value: ColumnValue::U64(|tx| tx.tick) },
    Column { name: "tx_index", value: ColumnValue::U64(|tx| tx.index) },
    Column { name: "from_address", value: ColumnValue::Text(|tx| checksummed(&tx.from)) },
    Column { name: "from_name", value: ColumnValue::Text(|tx| tx.from_name.clone()) },
    Column { name: "to_address", value: ColumnValue::OptionalText(|tx| tx.to.as_ref().map(checksummed)) },
    Column { name: "to_name", value: ColumnValue::Text(|tx| tx.to_name.clone()) },
    Column {
        name: "created_address",
        value: ColumnValue::OptionalText(|tx| tx.created.as_ref().map(checksummed)),
    },
    Column { name: "created_name", value: ColumnValue::Text(|tx| tx.created_name.clone()) },
    Column { name: "function", value: ColumnValue::Text(|tx| tx.function.clone()) },
    Column { name: "args", value: ColumnValue::Text(|tx| tx.args.clone()) },
    Column { name: "value_wei", value: ColumnValue::Text(|tx| tx.value_wei.to_string()) },
    Column { name: "status", value: ColumnValue::Text(|tx| tx.status.as_str().to_string()) },
    Column { name: "gas_used", value: ColumnValue::U64(|tx| tx.gas_used) },
    Column { name: "revert_reason", value: ColumnValue::Text(|tx| tx.revert_reason.clone()) },
];

fn topic(event: &EventRecord, position: usize) -> Option<String> {
    event.topics.get(position).map(|topic| topic.to_string())
}

/// Columns of `events.csv` and `events.parquet`.
pub(super) const EVENT_COLUMNS: &[Column<EventRecord>] = &[
    Column { name: "tick", value: ColumnValue::U64(|event| event.tick) },
    Column { name: "tx_index", value: ColumnValue::U64(|event| event.tx_index) },
    Column { name: "log_index", value: ColumnValue::U32(|event| event.log_index) },
    Column { name: "contract_address", value: ColumnValue::Text(|event| checksummed(&event.address)) },
    Column { name: "contract_name", value: ColumnValue::Text(|event| event.contract.clone()) },
    Column { name: "event", value: ColumnValue::Text(|event| event.event.clone()) },
    Column { name: "fields", value: ColumnValue::Text(|event| event.fields.clone()) },
    Column { name: "topic0", value: ColumnValue::OptionalText(|event| topic(event, 0)) },
    Column { name: "topic1", value: ColumnValue::OptionalText(|event| topic(event, 1)) },
    Column { name: "topic2", value: ColumnValue::OptionalText(|event| topic(event, 2)) },
    Column { name: "topic3", value: ColumnValue::OptionalText(|event| topic(event, 3)) },
    Column { name: "data", value: ColumnValue::Text(|event| hex::encode_prefixed(&event.data)) },
];

/// The most topics a log can have.
pub(super) const MAX_TOPICS: usize = 4;
