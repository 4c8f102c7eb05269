//! The documentation's examples run: every `tsp` command in a fenced
//! ```` ```bash ```` or ```` ```sh ```` block of `README.md` and `docs/*.md` is
//! run with the built binary and must exit 0.
//!
//! What counts as an example: a line of such a block that starts with `tsp `
//! or `target/release/tsp ` (a trailing `\` joins the next line; a `# ...`
//! comment after the command is dropped; `a && b` runs both). Lines starting
//! with anything else (`bash scripts/...`, `node ...`) are not run. Blocks
//! without a language, or marked `console`/`text`, are transcripts and are
//! not run either, so write a `$ tsp ...` session there.
//!
//! Where: all commands run in order, README first, then `docs/*.md` by file
//! name, in one scratch folder holding a copy of the repository's
//! `netlists/`, so a command may read the results of an earlier one
//! (`tsp compare results/ocean_v3 ...`). The folder has no `contracts/`, so
//! runs use the contracts built into `tsp`.
//!
//! Markers: a comment line `# test: ...` in a block applies to the next
//! command line only.
//! - `# test: skip REASON` does not run it; the reason is required (e.g. it
//!   needs npm packages from the network, or solc-js).
//! - `# test: args ARGS` appends `ARGS` to it, for a long example that a
//!   shorter run proves just as well, e.g.
//!   `# test: args --set sim.duration="20d"`.
//!
//! The test prints each command with its time. Keep the total under about
//! two minutes in release mode: prefer quick examples to markers.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// One command found in the docs.
#[derive(Debug)]
struct Example {
    /// `file:line` of the command's first line.
    place: String,
    /// The words after `tsp`, marker arguments appended.
    args: Vec<String>,
    /// `Some(reason)` when a marker says not to run it.
    skip: Option<String>,
}

/// Splits a command line into words the way a shell would for these
/// examples: single and double quotes, backslash escapes outside single
/// quotes, and an unquoted `#` starting a word begins a comment.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => {
                            if let Some(e) = chars.next() {
                                word.push(e);
                            }
                        }
                        _ => word.push(q),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(e) = chars.next() {
                    word.push(e);
                }
            }
            '#' if !in_word => break,
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// The examples of one Markdown file, in order.
fn examples_in(path: &Path, name: &str) -> Vec<Example> {
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut in_block = false;
    let mut runnable = false;
    let mut marker: Option<(String, usize)> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        let start = i;
        i += 1;
        if let Some(info) = line.strip_prefix("```") {
            if in_block {
                in_block = false;
            } else {
                in_block = true;
                let lang = info.trim();
                runnable = lang == "bash" || lang == "sh";
            }
            continue;
        }
        if !in_block || !runnable {
            continue;
        }
        if let Some(m) = line.strip_prefix("# test:") {
            marker = Some((m.trim().to_string(), start + 1));
            continue;
        }
        let Some(rest) = line.strip_prefix("tsp ").or_else(|| line.strip_prefix("target/release/tsp "))
        else {
            continue;
        };
        let mut command = rest.to_string();
        while command.trim_end().ends_with('\\') && i < lines.len() {
            let cut = command.trim_end().len() - 1;
            command.truncate(cut);
            command.push(' ');
            command.push_str(lines[i].trim());
            i += 1;
        }
        let mut skip = None;
        let mut extra = Vec::new();
        if let Some((m, at)) = marker.take() {
            if let Some(reason) = m.strip_prefix("skip") {
                let reason = reason.trim();
                assert!(!reason.is_empty(), "{name}:{at}: `# test: skip` needs a reason");
                skip = Some(reason.to_string());
            } else if let Some(args) = m.strip_prefix("args") {
                extra = shell_words(args);
            } else {
                panic!("{name}:{at}: unknown marker `# test: {m}` (skip REASON | args ARGS)");
            }
        }
        // `a && b`: each part is a command of its own, each starting with tsp.
        let words = shell_words(&command);
        let mut parts: Vec<Vec<String>> = vec![Vec::new()];
        for w in words {
            if w == "&&" {
                parts.push(Vec::new());
            } else {
                parts.last_mut().unwrap().push(w);
            }
        }
        for (k, mut args) in parts.into_iter().enumerate() {
            if k > 0 {
                let first = args.first().map(String::as_str);
                assert!(
                    matches!(first, Some("tsp" | "target/release/tsp")),
                    "{name}:{}: after `&&` only tsp commands are run",
                    start + 1
                );
                args.remove(0);
            }
            args.extend(extra.iter().cloned());
            out.push(Example { place: format!("{name}:{}", start + 1), args, skip: skip.clone() });
        }
    }
    out
}

/// Every example of README.md, then of docs/*.md by file name.
fn all_examples(root: &Path) -> Vec<Example> {
    let mut files = vec![(root.join("README.md"), "README.md".to_string())];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    for p in docs {
        let name = format!("docs/{}", p.file_name().unwrap().to_string_lossy());
        files.push((p, name));
    }
    files.iter().flat_map(|(path, name)| examples_in(path, name)).collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn shell_words_follow_the_shell() {
    assert_eq!(
        shell_words(r#"run a.toml --set 'x.y="z w"' --set sim.duration="20d" # note"#),
        vec!["run", "a.toml", "--set", r#"x.y="z w""#, "--set", "sim.duration=20d"]
    );
    assert_eq!(shell_words(r"a\ b c"), vec!["a b", "c"]);
}

#[test]
fn every_documented_tsp_command_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let examples = all_examples(root);
    assert!(examples.len() >= 10, "only {} examples found: is the extraction broken?", examples.len());
    let scratch = tempfile::tempdir().unwrap();
    copy_dir(&root.join("netlists"), &scratch.path().join("netlists"));
    let started = Instant::now();
    let mut failures = Vec::new();
    let (mut ran, mut skipped) = (0, 0);
    for ex in &examples {
        if let Some(reason) = &ex.skip {
            eprintln!("skip  {}: tsp {} ({reason})", ex.place, ex.args.join(" "));
            skipped += 1;
            continue;
        }
        let t = Instant::now();
        let output = Command::new(env!("CARGO_BIN_EXE_tsp"))
            .args(&ex.args)
            .current_dir(scratch.path())
            .output()
            .unwrap();
        ran += 1;
        eprintln!("{:5.1}s {}: tsp {}", t.elapsed().as_secs_f64(), ex.place, ex.args.join(" "));
        if !output.status.success() {
            failures.push(format!(
                "{}: tsp {} exited {:?}\n{}",
                ex.place,
                ex.args.join(" "),
                output.status.code(),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    eprintln!("{ran} commands run, {skipped} skipped, {:.1} s", started.elapsed().as_secs_f64());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
