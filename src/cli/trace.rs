//! `tsp run --trace`: every committed transaction and every log of a run,
//! from genesis (set-up deployments included), decoded with the run's ABIs
//! and address book and written by a [`TraceWriter`] into `<out>/trace/`.
//!
//! A transaction row names its sender, target and created contract from the
//! address book, its function and arguments from the ABI registry
//! (`constructor` with decoded arguments for a deployment whose contract's
//! ABI is known), its ETH value, status, gas and decoded revert reason
//! (custom errors with their arguments). An event row names its contract,
//! event and fields, and keeps the raw topics and data. Amounts are exact
//! decimal text.
//!
//! # State
//! The chain's journal keeps committed transactions only while a trace is
//! written: [`keep_journal`] turns that on before anything is deployed, and
//! [`TraceRecorder::record`] takes them after every tick (the engine's
//! `run_with` hook), so memory holds one tick's transactions plus the
//! Parquet row group being filled. Set-up transactions are written with
//! the first tick, as tick 0.
//!
//! # Errors
//! A trace file that cannot be written is a [`TraceError`] naming the file;
//! the run stops with it. Nothing that fails to decode is an error: it is
//! written raw (selector and hex data, an empty event name).

use crate::abi::format_value;
use crate::chain::{CommittedTx, Outcome, SimChain};
use crate::kpis::trace::{EventRecord, Result, TraceError, TraceWriter, TxRecord, TxStatus};
use crate::world::World;
use alloy_dyn_abi::JsonAbiExt;
use alloy_json_abi::JsonAbi;
use alloy_primitives::{Address, Bytes};
use std::path::Path;

/// The trace's directory inside a run's output directory.
pub const TRACE_DIR: &str = "trace";

/// Make `chain` keep every committed transaction for a trace; call it on a
/// fresh chain, before the run deploys anything.
pub fn keep_journal(chain: &mut SimChain) {
    chain.journal().keep(true);
}

/// Writes a run's trace a tick at a time.
#[derive(Debug)]
pub struct TraceRecorder {
    writer: TraceWriter,
}

impl TraceRecorder {
    /// Start the trace files in `dir` (created if needed).
    pub fn create(dir: &Path) -> Result<Self> {
        Ok(Self { writer: TraceWriter::create(dir)? })
    }

    /// Write every transaction the chain committed since the last call (and
    /// its logs) as happening at `tick`.
    pub fn record(&mut self, tick: u64, world: &mut World) -> Result<()> {
        for tx in world.chain.journal().take() {
            self.writer.tx(&tx_record(world, tick, &tx))?;
            for event in event_records(world, tick, &tx) {
                self.writer.event(&event)?;
            }
        }
        Ok(())
    }

    /// Transactions and events written so far.
    pub fn written(&self) -> (u64, u64) {
        (self.writer.transactions_written(), self.writer.events_written())
    }

    /// Finish the files (Parquet footers, final names).
    pub fn finish(self) -> Result<()> {
        self.writer.finish()
    }
}

/// The name a contract's ABI is registered under: its artifact, else its
/// address-book name (a bound contract's ABI is registered under that).
fn abi_name(world: &World, address: Address) -> Option<&str> {
    let entry = world.book.at(address)?;
    match entry.artifact_name() {
        Some(artifact) => Some(artifact),
        None => entry.abi.is_some().then_some(entry.name.as_str()),
    }
}

fn name_of(world: &World, address: Address) -> String {
    world.book.name_of(address).unwrap_or_default().to_string()
}

/// One committed transaction as a trace row.
pub fn tx_record(world: &World, tick: u64, tx: &CommittedTx) -> TxRecord {
    let created = match &tx.outcome {
        Outcome::Success { created, .. } => *created,
        _ => None,
    };
    let contract = tx.to.and_then(|to| abi_name(world, to));
    let (function, args) = match tx.to {
        Some(_) => {
            let call = world.abis.describe_call(contract, &tx.data);
            let args = call.args_text();
            (call.signature, args)
        }
        None => {
            let abi = created.and_then(|at| world.book.at(at)).and_then(|entry| entry.abi.as_deref());
            (
                "constructor".to_string(),
                abi.and_then(|abi| constructor_args(abi, &tx.data)).unwrap_or_default(),
            )
        }
    };
    let (status, revert_reason) = match &tx.outcome {
        Outcome::Success { .. } => (TxStatus::Success, String::new()),
        Outcome::Revert(reason) => (TxStatus::Revert, world.abis.describe_revert(contract, reason)),
        Outcome::Halt(reason) => (TxStatus::Halt, reason.clone()),
    };
    TxRecord {
        tick,
        index: tx.index,
        from: tx.from,
        from_name: name_of(world, tx.from),
        to: tx.to,
        to_name: tx.to.map(|to| name_of(world, to)).unwrap_or_default(),
        created,
        created_name: created.map(|at| name_of(world, at)).unwrap_or_default(),
        function,
        args,
        value_wei: tx.value,
        status,
        gas_used: tx.gas_used,
        revert_reason,
    }
}

/// The logs of a committed transaction as trace rows, in emission order.
pub fn event_records<'a>(
    world: &'a World,
    tick: u64,
    tx: &'a CommittedTx,
) -> impl Iterator<Item = EventRecord> + 'a {
    tx.logs.iter().enumerate().map(move |(position, log)| {
        let decoded = world.abis.decode_log(abi_name(world, log.address), log);
        let (event, fields) = decoded.map(|d| (d.name.clone(), d.fields_text())).unwrap_or_default();
        EventRecord {
            tick,
            tx_index: tx.index,
            log_index: u32::try_from(position).unwrap_or(u32::MAX),
            address: log.address,
            contract: name_of(world, log.address),
            event,
            fields,
            topics: log.data.topics().to_vec(),
            data: log.data.data.clone(),
        }
    })
}

/// A deployment's constructor arguments, `name=value; ...`, decoded from
/// the end of its init code (creation code, then the ABI-encoded
/// arguments). The arguments' length is not recorded, so each word-aligned
/// tail is tried from the shortest, and the first whose decoding encodes
/// back to exactly the same bytes is taken; `None` when none does.
fn constructor_args(abi: &JsonAbi, init_code: &Bytes) -> Option<String> {
    let constructor = abi.constructor.as_ref()?;
    if constructor.inputs.is_empty() {
        return Some(String::new());
    }
    let shortest = 32 * constructor.inputs.len();
    (shortest..=init_code.len()).step_by(32).find_map(|length| {
        let tail = &init_code[init_code.len() - length..];
        let values = constructor.abi_decode_input(tail).ok()?;
        if constructor.abi_encode_input(&values).ok()? != tail {
            return None;
        }
        let pairs: Vec<(String, String)> = constructor
            .inputs
            .iter()
            .zip(&values)
            .enumerate()
            .map(|(position, (param, value))| {
                let name = if param.name.is_empty() { position.to_string() } else { param.name.clone() };
                (name, format_value(value))
            })
            .collect();
        Some(crate::abi::format_fields(&pairs))
    })
}

/// Trace-file errors as `anyhow` errors (for the run's error chain).
pub(super) fn trace_error(error: TraceError) -> anyhow::Error {
    anyhow::Error::new(error).context("writing the trace")
}
