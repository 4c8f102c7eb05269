//! [`EventLog`]: the logs of committed transactions, in order, each with the
//! tick it happened in. Readers (a model's indexer, a script's running sum)
//! each keep a cursor; logs every reader has seen are dropped unless the run
//! asked to keep the whole history (a script lists past events), so memory
//! follows activity, not run length.

use alloy_primitives::Log;
use std::collections::VecDeque;

/// One committed log.
#[derive(Debug, Clone, PartialEq)]
pub struct EventEntry {
    /// The tick of its transaction.
    pub tick: u64,
    /// Its transaction's number in the run.
    pub tx: u64,
    /// The log.
    pub log: Log,
}

/// A reader's handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReaderId(usize);

/// Committed logs and the readers' cursors.
#[derive(Debug, Default, Clone)]
pub struct EventLog {
    /// Absolute index of `logs[0]`.
    base: u64,
    logs: VecDeque<EventEntry>,
    cursors: Vec<u64>,
    keep_history: bool,
}

impl EventLog {
    /// Keep every log for the whole run (for scripts that list past events).
    pub fn keep_history(&mut self) {
        self.keep_history = true;
    }

    /// Append the logs of one tick's committed transactions, each with its transaction's number.
    pub fn push(&mut self, tick: u64, logs: impl IntoIterator<Item = (u64, Log)>) {
        self.logs.extend(logs.into_iter().map(|(tx, log)| EventEntry { tick, tx, log }));
    }

    /// A new reader, positioned at the next log to come.
    pub fn reader(&mut self) -> ReaderId {
        self.cursors.push(self.end());
        ReaderId(self.cursors.len() - 1)
    }

    /// A new reader, positioned at the oldest log still kept (an agent that
    /// starts watching sees what the current tick committed so far).
    pub fn reader_from_oldest(&mut self) -> ReaderId {
        self.cursors.push(self.base);
        ReaderId(self.cursors.len() - 1)
    }

    /// Absolute index one past the newest log.
    pub fn end(&self) -> u64 {
        self.base + self.logs.len() as u64
    }

    /// The logs `reader` has not seen; it has seen them afterwards.
    pub fn unread(&mut self, reader: ReaderId) -> impl Iterator<Item = &EventEntry> {
        let from = self.cursors[reader.0].max(self.base);
        self.cursors[reader.0] = self.end();
        self.logs.range((from - self.base) as usize..)
    }

    /// The logs from absolute index `cursor` on (from the oldest kept one
    /// when those before were dropped).
    pub fn since(&self, cursor: u64) -> impl Iterator<Item = &EventEntry> {
        let from = cursor.max(self.base) - self.base;
        self.logs.range((from as usize).min(self.logs.len())..)
    }

    /// Whether every log is kept for the whole run.
    pub fn keeps_history(&self) -> bool {
        self.keep_history
    }

    /// Every log still kept (all of them when history is kept).
    pub fn all(&self) -> impl Iterator<Item = &EventEntry> {
        self.logs.iter()
    }

    /// Drop the logs every reader has seen, unless history is kept.
    pub fn compact(&mut self) {
        if self.keep_history {
            return;
        }
        let seen = self.cursors.iter().copied().min().unwrap_or(self.end());
        let drop = (seen.saturating_sub(self.base) as usize).min(self.logs.len());
        self.logs.drain(..drop);
        self.base += drop as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{Address, LogData};

    fn log(n: u8) -> Log {
        Log { address: Address::with_last_byte(n), data: LogData::default() }
    }

    #[test]
    fn readers_see_each_log_once_and_seen_logs_are_dropped() {
        let mut events = EventLog::default();
        events.push(0, [(0, log(1))]);
        let a = events.reader();
        let b = events.reader();
        events.push(1, [(1, log(2)), (1, log(3))]);
        assert_eq!(events.unread(a).map(|e| e.log.address[19]).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(events.unread(a).count(), 0);
        events.compact();
        assert_eq!(events.all().count(), 2, "b has not read 2 and 3; log 1 predates both readers");
        assert_eq!(events.unread(b).map(|e| e.tick).collect::<Vec<_>>(), [1, 1]);
        events.compact();
        assert_eq!(events.all().count(), 0);
        events.push(2, [(2, log(4))]);
        assert_eq!(events.unread(b).count(), 1);
    }

    #[test]
    fn history_is_kept_when_asked() {
        let mut events = EventLog::default();
        events.keep_history();
        let a = events.reader();
        events.push(0, [(0, log(1))]);
        assert_eq!(events.unread(a).count(), 1);
        events.compact();
        assert_eq!(events.all().count(), 1);
    }
}
