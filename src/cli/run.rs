//! `tsp run NETLIST [--out DIR] [--set k=v]... [--kpis-format wide|long|both] [--trace] [--rpc URL | --anvil [--node-mode MODE] | --fork URL[@BLOCK]]`:
//! run a netlist, stream `kpis.csv` and/or the long table `kpis.parquet/` (and, with `--trace`, every transaction and event to
//! `trace/`), write `run.json`, then the charts — into a staging folder that
//! replaces the results folder only when the run ends (see [`results_dir`]).
//!
//! [`results_dir`]: super::results_dir
//!
//! # Errors
//! A run that cannot start or fails mid-way is an error; rows already
//! written stay. A violated invariant with `on_fail = "stop"` ends the run
//! after that tick's row: the results are still written, `run.json` records
//! `stopped` and the `violations`, and `tsp run` prints the message and exits
//! with a failure status (the library's [`run_to_dir`] returns it as an error).

use super::trace::{keep_journal, trace_error, TraceRecorder, TRACE_DIR};
use crate::chain::{Mining, RequestLog, SimChain};
use crate::engine::SimEngine;
use crate::kpis::{KpiFormat, KpiSink, KpiSinks};
use crate::netlist::{load, LoadedNetlist};
use crate::plot::{plot_run_while, run_charts, ChartFile};
use anyhow::Context;
use serde_json::json;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::Instant;

/// Run a netlist and write `kpis.csv`, `run.json` and charts to a directory.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("node").args(["rpc", "anvil"])))]
pub(crate) struct Cmd {
    /// The netlist (TOML).
    netlist: PathBuf,
    /// Output directory (default `results/<sim.name>/`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Override a netlist value, e.g. `--set sim.seed=7` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// The contract build (`--build`, `--adapter`).
    #[command(flatten)]
    build: super::build_args::BuildArgs,
    /// Print nothing but warnings and errors (no progress, no summary).
    #[arg(long)]
    quiet: bool,
    /// Skip the charts.
    #[arg(long)]
    no_charts: bool,
    /// Which KPI tables to write: `wide` (kpis.csv), `long` (kpis.parquet/,
    /// a row per cell that has a value) or `both`; overrides the netlist's
    /// `[sim] kpis` (default wide).
    #[arg(long, value_name = "FORMAT", value_parser = clap::builder::PossibleValuesParser::new(KpiFormat::NAMES))]
    kpis_format: Option<String>,
    /// Write every committed transaction and event, decoded, to
    /// `trace/transactions.{csv,parquet}` and `trace/events.{csv,parquet}`.
    #[arg(long)]
    trace: bool,
    /// Run on a JSON-RPC node (anvil) at this URL instead of the embedded EVM;
    /// the node must be fresh (the run deploys the market from genesis).
    #[arg(long, value_name = "URL", conflicts_with_all = ["anvil", "fork"])]
    rpc: Option<String>,
    /// Install anvil from npm if needed (scripts/anvil.sh), start it on
    /// 127.0.0.1, run on it, and stop it by PID afterwards.
    #[arg(long, conflicts_with = "fork")]
    anvil: bool,
    /// How a run on a node (`--rpc`, `--anvil`) runs transactions:
    /// `mirrored` (the embedded EVM runs the tick over the node's state and
    /// the node mines its transactions as one block, each checked),
    /// `simulated` (the node simulates each transaction, then mines the
    /// tick's as one block) or `per-tx` (one block per transaction).
    /// Default: mirrored.
    #[arg(long, value_name = "MODE", requires = "node", value_parser = clap::builder::PossibleValuesParser::new(Mining::NAMES))]
    node_mode: Option<String>,
    /// `--fork URL[@BLOCK]`, `--fork-cache DIR`.
    #[command(flatten)]
    fork: super::fork_args::ForkArgs,
}

impl Cmd {
    pub(crate) fn run(self) -> anyhow::Result<ExitCode> {
        let mut loaded = load(&self.netlist, &self.build.overrides(&self.set)?)?;
        if let Some(format) = &self.kpis_format {
            loaded.netlist.sim.kpis =
                format.parse().map_err(|e: String| anyhow::anyhow!("--kpis-format: {e}"))?;
        }
        for warning in loaded.warnings() {
            eprintln!("warning: {warning}");
        }
        if !self.quiet {
            for line in loaded.models.iter().filter_map(|(_, config)| config.describe()) {
                eprintln!("{line}");
            }
        }
        let name = &loaded.netlist.sim.name;
        let out = match &self.out {
            Some(out) => out.clone(),
            None => {
                if let Some(problem) = super::results_dir::name_problem(name) {
                    anyhow::bail!(
                        "{}: sim.name = {name:?} cannot name a folder under results/: {problem}; \
                         change it or give --out",
                        self.netlist.display()
                    );
                }
                Path::new("results").join(name)
            }
        };
        let staging = super::results_dir::Staging::begin(&out)?;
        let mut node = None;
        let mining: Mining = match &self.node_mode {
            Some(mode) => mode.parse().map_err(|e: String| anyhow::anyhow!("--node-mode: {e}"))?,
            None => Mining::default(),
        };
        let on_node = |url: &str| SimChain::rpc_with(url, mining, RequestLog::default());
        let chain = match (&self.rpc, self.anvil) {
            (Some(url), _) => on_node(url).with_context(|| format!("connecting to {url}"))?,
            (None, true) => {
                let process = crate::chain::AnvilProcess::start(&crate::bench::install_anvil()?)?;
                let chain = on_node(process.url())?;
                node = Some(process);
                chain
            }
            (None, false) => self.fork.chain()?.unwrap_or_else(SimChain::embedded),
        };
        let options = RunOptions { progress: !self.quiet, trace: self.trace };
        let finished = run_to_dir_with(&loaded, staging.dir(), chain, options);
        drop(node);
        let FinishedRun { summary, stopped, .. } = match finished {
            Ok(run) => run,
            Err(error) => {
                let partial = staging.keep_partial();
                return Err(error.context(format!(
                    "the run failed: {} is untouched; the failed run's rows are in {}",
                    out.display(),
                    partial.display()
                )));
            }
        };
        let interrupted = super::signals::stop_flag().load(Ordering::SeqCst);
        let charts = if self.no_charts || interrupted {
            Vec::new()
        } else {
            let (charts, flat) = write_charts(&loaded, staging.dir(), false)?;
            if !self.quiet {
                eprintln!("{}", super::plot::charts_line(&charts, &flat, &out));
            }
            charts
        };
        // A signal while drawing: every row is written; the charts stop.
        let charts_cut = !interrupted && super::signals::stop_flag().load(Ordering::SeqCst);
        crate::report::write_run_report(staging.dir(), name, &charts)?;
        // Paths in the summary are the staging folder's until it is moved.
        let summary = summary.replace(&staging.dir().display().to_string(), &out.display().to_string());
        let previous = staging.commit()?;
        if !self.quiet {
            if let Some(previous) = previous {
                eprintln!("previous results kept in {}", previous.display());
            }
            println!("{summary}");
            println!("results in {}", out.display());
        }
        if charts_cut {
            eprintln!(
                "interrupted while drawing charts: every row is in {}; draw the charts with `tsp plot {}`",
                out.display(),
                out.display()
            );
            return Ok(super::signals::interrupted_status());
        }
        if interrupted {
            eprintln!(
                "interrupted: {} holds the run up to its last row (run.json: \"interrupted\")",
                out.display()
            );
            return Ok(super::signals::interrupted_status());
        }
        if let Some(message) = stopped {
            // The results are written; the run still failed its invariant.
            eprintln!("error: {message}");
            return Ok(ExitCode::FAILURE);
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// How [`run_to_dir_with`] runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Print progress to stderr.
    pub progress: bool,
    /// Write the trace (every committed transaction and event, decoded) to
    /// `<out>/trace/`; without it the chain keeps no transactions.
    pub trace: bool,
}

/// A finished run: its one-line summary, and the engine with the world as
/// the run left it (chain state, address book, reverts).
#[derive(Debug)]
pub struct FinishedRun {
    /// The summary line `tsp run` prints.
    pub summary: String,
    /// Why an invariant stopped the run (also in `run.json`), if one did.
    pub stopped: Option<String>,
    /// The engine after its last tick.
    pub engine: SimEngine,
}

/// Run `loaded` and write `kpis.csv` and `run.json` into `out`; returns a one-line summary.
pub fn run_to_dir(loaded: &LoadedNetlist, out: &Path, progress: bool) -> anyhow::Result<String> {
    run_to_dir_on(loaded, out, progress, SimChain::embedded())
}

/// [`run_to_dir`] on a given fresh chain (the embedded EVM or a node). A run a
/// violated invariant stopped is an error, after kpis.csv and run.json are written.
pub fn run_to_dir_on(
    loaded: &LoadedNetlist,
    out: &Path,
    progress: bool,
    chain: SimChain,
) -> anyhow::Result<String> {
    let options = RunOptions { progress, trace: false };
    let run = run_to_dir_with(loaded, out, chain, options)?;
    if let Some(message) = run.stopped {
        anyhow::bail!("{message} (kpis.csv and run.json in {} hold the run up to that tick)", out.display());
    }
    Ok(run.summary)
}

/// Run `loaded` on a fresh `chain` and write `kpis.csv`, `run.json` and,
/// with [`RunOptions::trace`], `trace/` into `out`. A run that fails still
/// finishes its trace (up to the failing transaction) before the error is
/// returned; a run an invariant stopped is not an error here
/// ([`FinishedRun::stopped`]).
pub fn run_to_dir_with(
    loaded: &LoadedNetlist,
    out: &Path,
    mut chain: SimChain,
    options: RunOptions,
) -> anyhow::Result<FinishedRun> {
    let progress = options.progress;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    if options.trace {
        keep_journal(&mut chain);
    }
    let mut engine = loaded.build_on(chain, false)?;
    let mut trace = options
        .trace
        .then(|| TraceRecorder::create(&out.join(TRACE_DIR)))
        .transpose()
        .map_err(trace_error)?;
    let clock = loaded.clock()?;
    let json_path = out.join("run.json");
    let write_status = |status: serde_json::Value| -> anyhow::Result<()> {
        std::fs::write(&json_path, serde_json::to_string_pretty(&status)? + "\n")
            .with_context(|| format!("writing {}", json_path.display()))
    };
    // Until the run ends, run.json says it is running: a killed run is recognisable.
    write_status(json!({
        "status": "running",
        "netlist": loaded.file,
        "seed": loaded.netlist.sim.seed,
        "ticks_planned": clock.ticks,
        "pid": std::process::id(),
    }))?;
    let kept = loaded.selected_columns(engine.columns())?;
    let names = kept.iter().map(|&i| engine.columns()[i].clone()).collect();
    let format = loaded.netlist.sim.kpis;
    let mut writer = KpiSinks::create(out, format, names)?;
    let mut row = Vec::with_capacity(kept.len());
    let started = Instant::now();
    // On a terminal the progress line redraws in place every 1%; in a log
    // (CI, a pipe) it prints a line every 10%.
    let terminal = std::io::stderr().is_terminal();
    let step = (clock.ticks / if terminal { 100 } else { 10 }).max(1);
    let stop = super::signals::stop_flag();
    let summary = engine.run_with(
        |tick, time_s, values| {
            row.clear();
            row.extend(kept.iter().map(|&i| values[i]));
            Ok(writer.write_row(tick, time_s, &row)?)
        },
        |tick| {
            if progress && (tick % step == 0 || tick + 1 == clock.ticks) {
                let rate = (tick + 1) as f64 / started.elapsed().as_secs_f64().max(1e-9);
                let line = format!(
                    "  tick {:>7}/{} ({:>3}%)  {:>9.0} ticks/s",
                    tick + 1,
                    clock.ticks,
                    (tick + 1) * 100 / clock.ticks,
                    rate
                );
                if terminal {
                    eprint!("\r{line}");
                } else {
                    eprintln!("{line}");
                }
                let _ = std::io::stderr().flush();
            }
            !stop.load(Ordering::SeqCst)
        },
        |tick, world| match trace.as_mut() {
            Some(trace) => trace.record(tick, world).map_err(trace_error),
            None => Ok(()),
        },
    );
    // A node mines what the last tick left, and says whether it agreed.
    let summary = summary.and_then(|summary| {
        engine.world_mut().chain.settle().context("the node mining the run's last block")?;
        Ok(summary)
    });
    if progress && terminal {
        eprintln!();
    }
    // What a failed tick committed before the failure, then the files' ends;
    // the run's own error, if any, comes first.
    let traced = trace.map(|mut trace| {
        let tick = engine.world().tick;
        trace.record(tick, engine.world_mut()).map_err(trace_error)?;
        let written = trace.written();
        trace.finish().map_err(trace_error)?;
        anyhow::Ok(written)
    });
    let summary = match summary {
        Ok(summary) => summary,
        Err(error) => {
            let tick = engine.world().tick;
            let failed = json!({
                "status": "failed",
                "netlist": loaded.file,
                "seed": loaded.netlist.sim.seed,
                "tick": tick,
                "error": super::describe(&error),
            });
            let _ = writer.finish();
            // What the fork read is valid whatever failed: keep it for the next run.
            let _ = fork_record(&engine);
            write_status(failed)?;
            return Err(error);
        }
    };
    let traced = traced.transpose()?;
    writer.finish()?;
    let interrupted = summary.ticks < clock.ticks && summary.stopped.is_none();
    if interrupted {
        eprintln!(
            "interrupted after tick {}: {} holds every row up to it",
            summary.ticks,
            format.files().join(" and ")
        );
    }
    let wall = started.elapsed().as_secs_f64();
    let mut bytecode = std::collections::BTreeMap::new();
    let (models, world) = engine.models_and_world();
    for model in models {
        bytecode.extend(model.code_hashes(world)?.into_iter().map(|(name, hash)| (name, hash.to_string())));
    }
    // Every named contract of the book (`[[contract]]`s and the models'), by its deployed code.
    let world = engine.world_mut();
    let contracts: Vec<_> = world
        .book
        .entries()
        .iter()
        .filter(|e| matches!(e.kind, crate::world::EntryKind::Contract { .. }))
        .map(|e| (e.name.clone(), e.address))
        .collect();
    for (name, address) in contracts {
        let code = world.chain.code(address)?;
        if !code.is_empty() {
            bytecode.entry(name).or_insert_with(|| alloy_primitives::keccak256(&code).to_string());
        }
    }
    let world = engine.world();
    let manifests: serde_json::Map<String, serde_json::Value> =
        loaded.models.iter().map(|(model, config)| (model.name().to_string(), config.manifest())).collect();
    let first_build = manifests.values().find_map(|m| m.get("build").cloned()).unwrap_or(json!("own"));
    let addresses: serde_json::Map<String, serde_json::Value> =
        world.book.entries().iter().map(|e| (e.name.clone(), json!(e.address.to_string()))).collect();
    let violations: Vec<_> = engine
        .violations()
        .iter()
        .map(|v| {
            let message = crate::engine::describe(v, world);
            json!({ "invariant": v.name, "tick": v.tick, "after_agent": v.after_agent, "detail": v.detail, "message": message })
        })
        .collect();
    let reverts: Vec<_> = world
        .reverts
        .iter()
        .take(1_000)
        .map(|r| {
            let reason = world.describe_revert(&r.reason);
            json!({ "tick": r.tick, "agent": r.agent, "action": r.action, "reason": reason })
        })
        .collect();
    let mut agents_by_type = std::collections::BTreeMap::<&str, u64>::new();
    for agent in &loaded.agents {
        *agents_by_type.entry(&agent.kind).or_default() += 1;
    }
    let status = match (interrupted, &summary.stopped) {
        (true, _) => "interrupted",
        (false, Some(_)) => "stopped",
        (false, None) => "finished",
    };
    let mut run = json!({
        "status": status,
        "netlist": loaded.file,
        "resolved": loaded.netlist,
        "agents": agents_by_type,
        "seed": loaded.netlist.sim.seed,
        "ticks": summary.ticks,
        "ticks_planned": clock.ticks,
        "interrupted": interrupted,
        "rows": summary.rows,
        "stopped": summary.stopped,
        "violations": violations,
        "reverts": summary.reverts,
        "reverts_by_reason": world.reverts_by_reason,
        "first_reverts": reverts,
        "label": loaded.label(),
        "models": manifests,
        "build": first_build,
        "design": loaded.label(),
        "addresses": addresses,
        "bytecode_keccak": bytecode,
        "own_contracts": crate::artifacts::disk_build()
            .map_or_else(|| "embedded in tsp".to_string(), |out| out.display().to_string()),
        "git_commit": git_commit(),
        "tokenspice_version": env!("CARGO_PKG_VERSION"),
        "wall_time_s": wall,
        "peak_rss_mib": crate::bench::peak_rss_mib(),
        "ticks_per_s": summary.ticks as f64 / wall.max(1e-9),
    });
    for (name, count) in &summary.counts {
        run[*name] = json!(count);
    }
    if traced.is_some() {
        run["trace"] = json!(format!("{TRACE_DIR}/"));
    }
    let fork = fork_record(&engine)?;
    if let Some(fork) = &fork {
        run["fork"] = fork.clone();
    }
    if let Some((url, mode)) = engine.world().chain.node() {
        run["node"] = json!({ "url": url, "mode": mode.to_string() });
    }
    write_status(run)?;
    let counts: String =
        summary.counts.iter().map(|(name, n)| format!(", {}", super::count(*n, name))).collect();
    let stopped = summary.stopped.as_ref().map_or(String::new(), |m| format!("; stopped: {m}"));
    let traced = traced
        .map(|(txs, events)| {
            format!(", trace of {} and {}", super::count(txs, "transactions"), super::count(events, "events"))
        })
        .unwrap_or_default();
    let forked = fork
        .map(|fork| {
            format!(
                ", forked at block {} ({} state requests to the node)",
                fork["block"], fork["rpc_calls"]["state"]
            )
        })
        .unwrap_or_default();
    let line = format!(
        "{}: {}, {}{counts}, {}{traced}{forked}, {:.2} s ({:.0} ticks/s){stopped}",
        loaded.netlist.sim.name,
        super::count(summary.ticks, "ticks"),
        super::count(summary.rows, "KPI rows"),
        super::count(summary.reverts as u64, "reverted actions"),
        wall,
        summary.ticks as f64 / wall.max(1e-9)
    );
    Ok(FinishedRun { summary: line, stopped: summary.stopped, engine })
}

/// On a forked chain: save the fork's cache file and describe the fork for
/// `run.json` (URL, chain id, block, cache file, requests sent to the node).
fn fork_record(engine: &SimEngine) -> anyhow::Result<Option<serde_json::Value>> {
    let Some(fork) = engine.world().chain.fork_db() else { return Ok(None) };
    fork.save()?;
    Ok(Some(json!({
        "url": fork.url(),
        "chain_id": fork.chain_id(),
        "block": fork.block(),
        "timestamp": fork.timestamp(),
        "cache": fork.cache_path().display().to_string(),
        "offline": fork.is_offline(),
        "rpc_calls": fork.calls(),
    })))
}

/// Draw the netlist's `[[chart]]`s (or the default set of the columns that
/// change; with `every_column`, both, of every column) from `out/kpis.csv` into
/// `out`, stopping between charts on a signal; returns the charts drawn and
/// the flat columns left out.
pub fn write_charts(
    loaded: &LoadedNetlist,
    out: &Path,
    every_column: bool,
) -> anyhow::Result<(Vec<ChartFile>, Vec<String>)> {
    let csv = out.join("kpis.csv");
    let own = &loaded.netlist.charts;
    // Only the default charts need the values (to leave flat columns out);
    // the drawing reads the columns it draws again, so the whole table (a
    // ten-year one is ~100 MB in memory) is never held twice, or at all for
    // a netlist with charts of its own.
    let table = if own.is_empty() || every_column {
        crate::kpis::read_kpis(&csv)?
    } else {
        crate::kpis::KpiTable::default()
    };
    let chosen = run_charts(own, &table, every_column);
    drop(table);
    let stop = super::signals::stop_flag();
    let units = loaded.column_units();
    let drawn = plot_run_while(&csv, out, &chosen.specs, &units, &|| !stop.load(Ordering::SeqCst))?;
    Ok((drawn, chosen.flat))
}

fn git_commit() -> Option<String> {
    let out = std::process::Command::new("git").args(["rev-parse", "HEAD"]).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}
