//! The regression corpus of bad inputs (issue 19): every file under
//! tests/bad_inputs/ is a netlist found by the fuzz harness (with its `--set`
//! values and build or adapter edits in `# key: json` lines, see
//! tests/fuzz/case.rs) and the message `tsp check` or a short run gives for
//! it (`# expect:` lines). Each must still get exactly that message, so a
//! clear error cannot silently turn into a vague one, a panic or a pass.
//!
//! After an intended change of messages, `TOKENSPICE_BLESS=1` rewrites the
//! `# expect:` lines; review the diff.

#[path = "fuzz/case.rs"]
mod case;
#[path = "support/fs.rs"]
mod fs;
#[path = "fuzz/mutate.rs"]
mod mutate;

use case::{repo, Case, Outcome};
use std::path::PathBuf;

/// The corpus must keep at least this many inputs.
const AT_LEAST: usize = 300;

#[test]
fn every_bad_input_still_gets_its_message() {
    let bless = std::env::var_os("TOKENSPICE_BLESS").is_some();
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo("tests/bad_inputs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(
        files.len() >= AT_LEAST,
        "{} inputs in tests/bad_inputs; at least {AT_LEAST} expected",
        files.len()
    );
    let mut wrong = Vec::new();
    let mut good_inputs = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let mut case = Case::from_text(&name, &std::fs::read_to_string(file).unwrap()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| case.evaluate(dir.path())))
            .unwrap_or_else(|_| Outcome::Refused(format!("PANIC on {name}")));
        if outcome == (Outcome::Accepted { warnings: Vec::new(), ran: true, run_error: None }) {
            good_inputs.push(name.clone());
        }
        let lines = outcome.lines();
        if lines != case.expect {
            if bless {
                case.expect = lines;
                std::fs::write(file, case.to_text()).unwrap();
            } else {
                wrong.push(format!("{name}\n  expected: {:?}\n  got:      {lines:?}", case.expect));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} inputs changed message:\n{}",
        wrong.len(),
        files.len(),
        wrong.join("\n")
    );
    assert!(good_inputs.is_empty(), "inputs that are not bad (they run cleanly): {good_inputs:?}");
}
