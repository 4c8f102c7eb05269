//! The fuzz harness (issue 19): for a bounded time, derive inputs from the
//! shipped netlists and from the kept corpus — netlist keys and text,
//! `--set` values, edited artifacts and adapters (tests/fuzz/mutate.rs) —
//! and hold the simulator to its promises on each:
//! - nothing panics, nothing hangs (30 s per input);
//! - a refused input's message names the netlist file (or the `--set`
//!   value) and shows no Rust debug output;
//! - an accepted short input either runs to the end or stops with a message
//!   naming the tick.
//!
//! `TOKENSPICE_FUZZ_SECS` sets the time (default 60, what CI runs),
//! `TOKENSPICE_FUZZ_SEED` the stream. Inputs with a message shape not seen
//! before are kept in `cache/fuzz/corpus/` (or `TOKENSPICE_FUZZ_CORPUS`) and
//! become parents of later runs; failing inputs are written to
//! `cache/fuzz/failures/`. The summary (inputs tried, outcomes, shapes)
//! prints with `--nocapture`.

#[path = "fuzz/case.rs"]
mod case;
#[path = "support/fs.rs"]
mod fs;
#[path = "fuzz/mutate.rs"]
mod mutate;

use case::{repo, Case, Outcome};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Longest an input may take before it counts as a hang.
const HANG: Duration = Duration::from_secs(30);

/// Rust debug output that must never reach a user.
const DEBUG_FORMS: &[&str] = &["Os {", "Error {", "{ kind:", "panicked", "Some("];

#[test]
fn fuzz_inputs_for_a_bounded_time() {
    let seconds: u64 = env_number("TOKENSPICE_FUZZ_SECS", 60);
    let seed: u64 = env_number("TOKENSPICE_FUZZ_SEED", 1);
    let corpus_dir = std::env::var_os("TOKENSPICE_FUZZ_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo("cache/fuzz/corpus"));
    std::fs::create_dir_all(&corpus_dir).unwrap();
    // Parents: inputs the simulator accepts (the shipped netlists first)
    // and inputs it refuses; accepted ones are drawn more often, so that
    // children reach the run as well as the checks.
    let kept = read_corpus(&corpus_dir);
    let mut accepted = seeds();
    let mut refused: Vec<Case> = Vec::new();
    for case in &kept {
        // Kept inputs carry their outcome (`# expect:` lines).
        match case.expect.first() {
            Some(line) if line.starts_with("refused: ") => refused.push(case.clone()),
            _ => accepted.push(case.clone()),
        }
    }
    let mut shapes: BTreeSet<String> = BTreeSet::new();
    let mut mutator = mutate::Mutator::new(seed, &accepted, artifact_files());
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tally = Tally::default();
    let mut failures: Vec<(Case, String)> = Vec::new();
    // Checks pass, the run stops (clearly): candidates for earlier checks.
    let mut run_errors: BTreeSet<String> = BTreeSet::new();
    while Instant::now() < deadline && failures.len() < 20 {
        let parent = if refused.is_empty() || mutator.below(3) > 0 {
            accepted[mutator.below(accepted.len())].clone()
        } else {
            refused[mutator.below(refused.len())].clone()
        };
        let child = mutator.child(&parent);
        let result = evaluate_guarded(child.clone());
        tally.tried += 1;
        let outcome = match result {
            Ok(outcome) => outcome,
            Err(problem) => {
                let hang = problem.starts_with("hang");
                failures.push((child, problem));
                if hang {
                    break; // the stuck thread still holds a core
                }
                continue;
            }
        };
        if let Some(problem) = broken_promise(&outcome) {
            failures.push((child.clone(), problem));
        }
        tally.count(&outcome);
        if let Outcome::Accepted { run_error: Some(error), .. } = &outcome {
            run_errors.insert(shape_of(&Outcome::Refused(error.clone())));
        }
        let shape = shape_of(&outcome);
        if shapes.insert(shape.clone())
            && !kept.iter().any(|k| k.netlist == child.netlist && k.sets == child.sets)
        {
            let mut child = child;
            child.expect = outcome.lines();
            save(&corpus_dir, &child, &shape);
            match outcome {
                Outcome::Refused(_) => refused.push(child),
                Outcome::Accepted { .. } => accepted.push(child),
            }
        }
    }
    eprintln!(
        "fuzz: {} inputs in {seconds} s (seed {seed}): {} refused, {} ran, {} checked only, {} run errors; \
         {} message shapes; corpus {} kept + {} seeds",
        tally.tried,
        tally.refused,
        tally.ran,
        tally.checked,
        tally.run_errors,
        shapes.len(),
        kept.len(),
        seeds().len(),
    );
    for shape in &run_errors {
        eprintln!("  run error: {}", shape.chars().take(300).collect::<String>());
    }
    if !failures.is_empty() {
        let dir = repo("cache/fuzz/failures");
        std::fs::create_dir_all(&dir).unwrap();
        let mut report = String::new();
        for (case, problem) in &failures {
            let file = save(&dir, case, problem);
            report += &format!("\n- {problem}\n  input: {}", file.display());
        }
        panic!("{} of {} fuzz inputs broke a promise:{report}", failures.len(), tally.tried);
    }
}

#[derive(Default)]
struct Tally {
    tried: u64,
    refused: u64,
    ran: u64,
    checked: u64,
    run_errors: u64,
}

impl Tally {
    fn count(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Refused(_) => self.refused += 1,
            Outcome::Accepted { run_error: Some(_), .. } => self.run_errors += 1,
            Outcome::Accepted { ran: true, .. } => self.ran += 1,
            Outcome::Accepted { .. } => self.checked += 1,
        }
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .map(|v| v.parse().unwrap_or_else(|_| panic!("{name}={v:?} is not a number")))
        .unwrap_or(default)
}

/// Evaluate on its own thread in a fresh folder: the outcome, or
/// `panic: ...` / `hang: ...`.
fn evaluate_guarded(case: Case) -> Result<Outcome, String> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let dir = tempfile::tempdir().unwrap();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| case.evaluate(dir.path())));
        let _ = send.send(result.map_err(|payload| {
            let text = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            format!("panic: {text}")
        }));
    });
    match receive.recv_timeout(HANG) {
        Ok(result) => result,
        Err(_) => Err(format!("hang: no outcome after {} s", HANG.as_secs())),
    }
}

/// What an outcome promises that it does not keep, if anything.
fn broken_promise(outcome: &Outcome) -> Option<String> {
    let (message, needle) = match outcome {
        Outcome::Refused(message) => (message, "netlist.toml"),
        Outcome::Accepted { run_error: Some(message), .. } => (message, "tick"),
        Outcome::Accepted { .. } => return None,
    };
    if message.trim().is_empty() {
        return Some("empty error message".to_string());
    }
    // A `--set` value that does not parse is named as given, not in the file.
    if !message.contains(needle) && !message.starts_with("--set ") {
        return Some(format!("the message does not name {needle:?}: {message}"));
    }
    DEBUG_FORMS
        .iter()
        .find(|form| message.contains(*form))
        .map(|form| format!("Rust debug output {form:?}: {message}"))
}

/// The outcome with names, numbers and quoted text blurred: inputs that
/// differ only there are the same shape.
fn shape_of(outcome: &Outcome) -> String {
    let mut shape = String::new();
    let mut quoted = false;
    for c in outcome.lines().join("\n").chars() {
        match c {
            '"' | '`' => {
                quoted = !quoted;
                shape.push('"');
            }
            _ if quoted => {}
            '0'..='9' if shape.ends_with('0') => {}
            '0'..='9' => shape.push('0'),
            c => shape.push(c),
        }
    }
    shape
}

/// The shipped netlists, as they are and cut to 12 ticks (uniswap_v2 needs
/// vendor builds a fresh clone lacks).
fn seeds() -> Vec<Case> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo("netlists"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml") && !p.ends_with("uniswap_v2.toml"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for file in files {
        let netlist = std::fs::read_to_string(&file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let mut short: toml::Value = toml::Value::Table(netlist.parse().unwrap());
        mutate::set_path(&mut short, "sim.duration", None);
        mutate::set_path(&mut short, "sim.ticks", Some(toml::Value::Integer(12)));
        let short = toml::to_string(&short).unwrap();
        cases.push(Case { origin: vec![name.clone()], netlist, ..Case::default() });
        cases.push(Case { origin: vec![format!("{name}, 12 ticks")], netlist: short, ..Case::default() });
    }
    cases
}

/// Artifact files of the project's build, relative to out/.
fn artifact_files() -> Vec<String> {
    let out = repo("out");
    let mut files = Vec::new();
    for dir in std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()) {
        for file in std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()) {
            files.push(file.strip_prefix(&out).unwrap().display().to_string());
        }
    }
    files.sort();
    files
}

fn read_corpus(dir: &Path) -> Vec<Case> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
        .iter()
        .filter_map(|file| {
            Case::from_text(&file.display().to_string(), &std::fs::read_to_string(file).ok()?).ok()
        })
        .collect()
}

/// Write `case` to `dir`, named by a hash of `key`; the file.
fn save(dir: &Path, case: &Case, key: &str) -> PathBuf {
    let hash = alloy_primitives::keccak256(key.as_bytes());
    let file = dir.join(format!("{}.toml", &hash.to_string()[2..14]));
    std::fs::write(&file, case.to_text()).unwrap();
    file
}
