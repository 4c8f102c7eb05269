//! Running a study's units on local workers: each worker takes the next unit
//! in order, loads the netlist with the unit's overrides, runs it on its own
//! embedded EVM and stores the chosen KPI columns of every sampled row in
//! `<out>/units/<index>.csv`, then a marker `<index>.json` with the unit's key
//! (a hash of the netlist files, the overrides and the seed). Results are
//! read back in unit order, so the tables do not depend on the number of
//! workers or on who finished first.
//!
//! Resuming: a unit whose marker holds the same key is not run again. A
//! unit is stored by writing `.partial` files and renaming them, marker
//! last, so a killed study loses at most the units that were running.
//!
//! # Errors
//! A unit that fails (a bad override, a run error) is a result with its
//! message, not a lost study. I/O errors writing the results stop the study.

use super::plan::Unit;
use crate::chain::SimChain;
use crate::kpis::{read_kpis, KpiWriter};
use crate::netlist::{load, LoadedNetlist};
use crate::world::World;
use alloy_primitives::keccak256;
use anyhow::Context;
use serde_json::json;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

/// What to run and where to keep it.
pub struct Runner<'a> {
    /// The netlist.
    pub netlist: &'a Path,
    /// Overrides of every unit (before the unit's own).
    pub overrides: &'a [String],
    /// KPI column patterns stored per unit (`*` globs; empty: every column).
    pub columns: &'a [String],
    /// The study's folder.
    pub out: &'a Path,
    /// Worker threads (at least 1).
    pub jobs: usize,
    /// Set to stop: running units end at their next tick and are not stored.
    pub stop: &'a AtomicBool,
    /// Start each run from a fork of its worker's set-up world when the
    /// deployment is the same ([`Template`]); off, every run deploys anew.
    pub fork: bool,
    /// Called after each finished unit with (done, total).
    pub on_done: &'a (dyn Fn(usize, usize) + Sync),
    /// Run only this shard of the units ([`Shard`]); the others are left out.
    pub shard: Option<Shard>,
}

/// One of `count` disjoint parts of a study's runs: the runs whose position
/// (over every design, in order) is `index` modulo `count`. Distributed
/// backends run the shards apart, then the whole study again, which reuses
/// every stored run and writes the tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which part, from 0.
    pub index: usize,
    /// How many parts.
    pub count: usize,
}

impl Shard {
    /// Parse `K/N` (0 ≤ K < N).
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let parsed =
            text.split_once('/').and_then(|(k, n)| Some((k.trim().parse().ok()?, n.trim().parse().ok()?)));
        match parsed {
            Some((index, count)) if index < count => Ok(Self { index, count }),
            _ => anyhow::bail!("--shard {text:?}: expected K/N with 0 <= K < N, e.g. 0/4"),
        }
    }

    /// Whether the run at `position` belongs to this shard.
    pub fn holds(&self, position: usize) -> bool {
        position % self.count == self.index
    }
}

/// One unit's result.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The unit.
    pub unit: Unit,
    /// Whether it was taken from an earlier run of the study.
    pub reused: bool,
    /// `Err(message)` for a failed run.
    pub status: Result<(), String>,
    /// The stored columns.
    pub columns: Vec<String>,
    /// Every sampled row: tick, time, values of `columns`.
    pub rows: Vec<(u64, u64, Vec<f64>)>,
}

impl Outcome {
    /// The stored rows as a KPI table (empty for a failed run).
    pub fn table(&self) -> crate::kpis::KpiTable {
        crate::kpis::KpiTable {
            columns: self.columns.clone(),
            ticks: self.rows.iter().map(|(tick, _, _)| *tick).collect(),
            times: self.rows.iter().map(|(_, time, _)| *time).collect(),
            values: (0..self.columns.len())
                .map(|c| self.rows.iter().map(|(_, _, v)| v[c]).collect())
                .collect(),
        }
    }
}

/// The key of a unit: what its result depends on.
pub fn unit_key(netlist: &Path, overrides: &[String], columns: &[String]) -> anyhow::Result<String> {
    let mut material = Vec::new();
    let text = std::fs::read(netlist).with_context(|| format!("{}: cannot read", netlist.display()))?;
    material.extend_from_slice(&text);
    // Included files and CSV series are part of what the run reads.
    if let Ok(table) = String::from_utf8_lossy(&text).parse::<toml::Table>() {
        let dir = netlist.parent().unwrap_or(Path::new("."));
        let mut extra: Vec<String> = table
            .get("include")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        extra.extend(
            table
                .get("series")
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
                .filter_map(|s| s.get("csv")?.as_str().map(str::to_string)),
        );
        for name in extra {
            material.extend_from_slice(&std::fs::read(dir.join(&name)).unwrap_or_default());
        }
    }
    for part in overrides.iter().chain(columns) {
        material.extend_from_slice(part.as_bytes());
        material.push(0);
    }
    material.extend_from_slice(env!("CARGO_PKG_VERSION").as_bytes());
    Ok(keccak256(&material).to_string())
}

impl std::fmt::Debug for Runner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("netlist", &self.netlist)
            .field("out", &self.out)
            .field("jobs", &self.jobs)
            .finish_non_exhaustive()
    }
}

impl Runner<'_> {
    /// Run (or reuse) every unit; outcomes in unit order. Units not run
    /// because the study was stopped are left out.
    pub fn run(&self, units: &[Unit]) -> anyhow::Result<Vec<Outcome>> {
        let mut designs = self.run_designs(&[(self.netlist, self.out)], units)?;
        Ok(designs.pop().unwrap_or_default())
    }

    /// Run every unit of every design — `(netlist, folder)` pairs — in one
    /// pool of workers, design by design in order (so no worker idles at the
    /// end of a design while another design waits); per design, its outcomes
    /// in unit order, those not run because the study was stopped left out.
    /// The `netlist` and `out` of the runner are not used.
    pub fn run_designs(
        &self,
        designs: &[(&Path, &Path)],
        units: &[Unit],
    ) -> anyhow::Result<Vec<Vec<Outcome>>> {
        for (_, out) in designs {
            let dir = out.join("units");
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let total = designs.len() * units.len();
        let next = AtomicUsize::new(0);
        let done = AtomicUsize::new(0);
        let slots: Mutex<Vec<Option<anyhow::Result<Outcome>>>> =
            Mutex::new((0..total).map(|_| None).collect());
        std::thread::scope(|scope| {
            for _ in 0..self.jobs.max(1) {
                scope.spawn(|| {
                    let mut template = Template::default();
                    loop {
                        if self.stop.load(Ordering::SeqCst) {
                            return;
                        }
                        let job = next.fetch_add(1, Ordering::SeqCst);
                        if job >= total {
                            return;
                        }
                        if self.shard.is_some_and(|shard| !shard.holds(job)) {
                            continue;
                        }
                        let (netlist, out) = designs[job / units.len()];
                        let outcome = self.unit(netlist, out, &units[job % units.len()], &mut template);
                        if matches!(&outcome, Ok(None)) {
                            return; // stopped mid-run: not stored
                        }
                        if let Ok(mut slots) = slots.lock() {
                            slots[job] = Some(outcome.map(|o| o.expect("checked above")));
                        }
                        (self.on_done)(done.fetch_add(1, Ordering::SeqCst) + 1, total);
                    }
                });
            }
        });
        let mut slots = slots.into_inner().map_err(|_| anyhow::anyhow!("a worker panicked"))?.into_iter();
        let mut per_design = Vec::with_capacity(designs.len());
        for _ in designs {
            let outcomes: anyhow::Result<Vec<Outcome>> = slots.by_ref().take(units.len()).flatten().collect();
            per_design.push(outcomes?);
        }
        Ok(per_design)
    }

    /// Run one unit, or reuse its stored result; `Ok(None)` when stopped.
    fn unit(
        &self,
        netlist: &Path,
        out: &Path,
        unit: &Unit,
        template: &mut Template,
    ) -> anyhow::Result<Option<Outcome>> {
        let mut overrides = self.overrides.to_vec();
        overrides.extend(unit.overrides());
        let key = unit_key(netlist, &overrides, self.columns)?;
        let (csv, marker) = (
            out.join("units").join(format!("{:05}.csv", unit.index)),
            out.join("units").join(format!("{:05}.json", unit.index)),
        );
        if let Some(outcome) = self.stored(unit, &key, &csv, &marker) {
            return Ok(Some(outcome));
        }
        let partial = csv.with_extension("csv.partial");
        let result = self.execute(netlist, &overrides, &partial, template);
        let status = match result {
            Ok(true) => {
                std::fs::rename(&partial, &csv).with_context(|| format!("{}", csv.display()))?;
                Ok(())
            }
            Ok(false) => {
                let _ = std::fs::remove_file(&partial);
                return Ok(None);
            }
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                Err(format!("{e:#}"))
            }
        };
        let record = json!({ "key": key, "index": unit.index, "seed": unit.seed, "ok": status.is_ok(), "error": status.clone().err() });
        let partial_marker = marker.with_extension("json.partial");
        std::fs::write(&partial_marker, serde_json::to_string_pretty(&record)? + "\n")
            .and_then(|()| std::fs::rename(&partial_marker, &marker))
            .with_context(|| format!("writing {}", marker.display()))?;
        Ok(Some(self.stored(unit, &key, &csv, &marker).unwrap_or(Outcome {
            unit: unit.clone(),
            reused: false,
            status,
            columns: Vec::new(),
            rows: Vec::new(),
        }))
        .map(|mut o| {
            o.reused = false;
            o
        }))
    }

    /// The stored result of `unit` when its marker holds `key`.
    fn stored(&self, unit: &Unit, key: &str, csv: &Path, marker: &Path) -> Option<Outcome> {
        let record: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(marker).ok()?).ok()?;
        if record["key"].as_str() != Some(key) {
            return None;
        }
        if record["ok"].as_bool() != Some(true) {
            let error = record["error"].as_str().unwrap_or("failed").to_string();
            return Some(Outcome {
                unit: unit.clone(),
                reused: true,
                status: Err(error),
                columns: Vec::new(),
                rows: Vec::new(),
            });
        }
        let table = read_kpis(csv).ok()?;
        let rows = (0..table.len())
            .map(|r| (table.ticks[r], table.times[r], table.values.iter().map(|column| column[r]).collect()))
            .collect();
        Some(Outcome { unit: unit.clone(), reused: true, status: Ok(()), columns: table.columns, rows })
    }

    /// Run the netlist with `overrides`, writing the chosen columns to `path`;
    /// false when stopped before the end.
    fn execute(
        &self,
        netlist: &Path,
        overrides: &[String],
        path: &Path,
        template: &mut Template,
    ) -> anyhow::Result<bool> {
        let loaded = load(netlist, overrides)?;
        let world =
            if self.fork { template.fork(&loaded)? } else { loaded.set_up(SimChain::embedded(), false)? };
        let mut engine = loaded.start(world)?;
        let columns = engine.columns().to_vec();
        let kept: Vec<usize> = (0..columns.len())
            .filter(|&i| {
                self.columns.is_empty() || self.columns.iter().any(|p| crate::plot::matches(p, &columns[i]))
            })
            .collect();
        let names = kept.iter().map(|&i| columns[i].clone()).collect();
        let mut writer = KpiWriter::create(path, names)?;
        let mut row = Vec::with_capacity(kept.len());
        let summary = engine.run(
            |tick, time_s, values| {
                row.clear();
                row.extend(kept.iter().map(|&i| values[i]));
                Ok(writer.write_row(tick, time_s, &row)?)
            },
            |_| !self.stop.load(Ordering::SeqCst),
        )?;
        writer.close()?;
        if let Some(stopped) = summary.stopped {
            anyhow::bail!("{stopped}");
        }
        Ok(summary.ticks == loaded.clock()?.ticks)
    }
}

/// A worker's set-up world, kept to fork the next runs that share its
/// [`LoadedNetlist::setup_key`] instead of deploying again.
#[derive(Default)]
pub struct Template {
    kept: Option<(String, World)>,
}

impl std::fmt::Debug for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Template").field("key", &self.kept.as_ref().map(|(key, _)| key)).finish()
    }
}

impl Template {
    /// A fork of the kept world when `loaded` shares its key, else a fork of
    /// a new set-up world, kept in its place.
    pub fn fork(&mut self, loaded: &LoadedNetlist) -> anyhow::Result<World> {
        let key = loaded.setup_key();
        let world = match self.kept.take() {
            Some((kept_key, world)) if kept_key == key => world,
            _ => loaded.set_up(SimChain::embedded(), false)?,
        };
        let forked = world.fork(loaded.netlist.sim.seed);
        self.kept = Some((key, world));
        forked
    }
}
