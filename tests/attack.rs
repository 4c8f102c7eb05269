//! `tokenspice::attack` against a vulnerability planted for this test:
//! contracts/examples/SpotBuyback.sol, a treasury that buys a token back at
//! a pool's spot price, which a buyer can move in the same block. The
//! search, given only the three calls an attacker may make (buy in the pool,
//! sell to the treasury, sell in the pool) with amount ranges, must find the
//! three-step drain; its profit is recomputed with a float model of the
//! pool's and treasury's math, the replay netlist must earn it again in a
//! run, and the fixed twin (FixedBuyback, which pays the price the block
//! opened at) must leave nothing above fees.

#[path = "support/buyback.rs"]
mod buyback;

use buyback::{netlist, SPEC};
use tokenspice::attack::{attack, AttackReport, AttackSettings, AttackSpec, Move, SearchSettings};

fn settings(seed: u64) -> AttackSettings {
    AttackSettings {
        at: "1h".into(),
        search: SearchSettings { horizon: 4, budget: 1500, population: 100, seed },
        keep: 0.9,
    }
}

fn run_attack(buyback: &str, seed: u64) -> (AttackReport, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("buyback.toml");
    std::fs::write(&file, netlist(buyback)).unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let spec = AttackSpec::parse(SPEC, "spec.toml").unwrap();
    let report = attack(&file, &[], &spec, &settings(seed), &out).unwrap();
    (report, dir)
}

/// The pool and treasury in floats: the attacker's USD after `moves` (a
/// move whose contract would revert changes nothing).
fn float_reference(moves: &[Move]) -> f64 {
    let (mut pool_usd, mut pool_gem, mut treasury) = (1000.0, 1000.0, 1000.0);
    let (mut usd, mut gem) = (1000.0f64, 0.0f64);
    let swap = |reserve_in: f64, reserve_out: f64, amount: f64| {
        let after_fee = amount * 0.997;
        after_fee * reserve_out / (reserve_in + after_fee)
    };
    for m in moves {
        match m.action {
            0 if m.x * usd > 0.0 => {
                let (paid, got) = (m.x * usd, swap(pool_usd, pool_gem, m.x * usd));
                (usd, gem, pool_usd, pool_gem) = (usd - paid, gem + got, pool_usd + paid, pool_gem - got);
            }
            1 if m.x * gem > 0.0 => {
                let (paid, got) = (m.x * gem, swap(pool_gem, pool_usd, m.x * gem));
                (gem, usd, pool_gem, pool_usd) = (gem - paid, usd + got, pool_gem + paid, pool_usd - got);
            }
            2 if m.x * 100.0 <= gem && m.x * 100.0 * pool_usd / pool_gem <= treasury => {
                let sold = m.x * 100.0;
                let paid = sold * pool_usd / pool_gem;
                (gem, usd, treasury) = (gem - sold, usd + paid, treasury - paid);
            }
            _ => {}
        }
    }
    usd
}

#[test]
fn the_search_finds_the_three_step_drain_of_the_spot_priced_buyback() {
    let (report, dir) = run_attack("SpotBuyback", 1);
    assert!(
        report.profit > 100.0,
        "profit {} from {:?}; reverts {:?}",
        report.profit,
        report.moves,
        report.reverts
    );
    assert!(report.moves.len() >= 3, "{:?}", report.moves);
    let used: std::collections::BTreeSet<usize> = report.moves.iter().map(|m| m.action).collect();
    assert_eq!(used.len(), 3, "buy, sell to the treasury and sell back are all needed: {:?}", report.moves);
    // Recomputed independently of the EVM.
    let reference = float_reference(&report.moves) - 1000.0;
    assert!((reference - report.profit).abs() < 1e-6 * report.profit, "{reference} vs {}", report.profit);
    // Shrinking kept at least 90% of what the search found.
    assert!(report.profit >= 0.9 * report.found_profit);
    // The treasury lost it: what the named accounts lost adds up to the attacker's profit.
    assert_eq!(report.losses[0].0, "buyback");
    let lost: f64 = report.losses.iter().map(|(_, l)| l).sum();
    assert!((lost - report.profit).abs() < 1e-6, "{lost} vs {}", report.profit);
    let pct = report.profit_pct_of_pool.unwrap();
    assert!((pct - report.profit / 10.0).abs() < 1e-9, "{pct}");
    // The budget's record: best profit never falls, ends at what was found.
    assert_eq!(report.evaluated, 1500);
    assert!(report.growth.windows(2).all(|w| w[0].1 <= w[1].1 && w[0].0 < w[1].0));
    assert_eq!(report.growth.last().unwrap().1, report.found_profit);

    // The replay netlist, run as `tsp run` would, earns the same.
    let replay = dir.path().join("out/replay.toml");
    std::fs::write(&replay, &report.replay).unwrap();
    let loaded = tokenspice::netlist::load(&replay, &[]).unwrap();
    let mut engine = loaded.build().unwrap();
    let (_, rows) = engine.run_to_rows().unwrap();
    let column = engine.columns().iter().position(|c| c == "agent.attacker.usd").unwrap();
    let earned = rows.last().unwrap().1[column] - 1000.0;
    assert!((earned - report.profit).abs() < 1e-6, "{earned} vs {}", report.profit);

    // Deterministic for a seed.
    let (again, _) = run_attack("SpotBuyback", 1);
    assert_eq!((again.moves, again.profit, again.growth), (report.moves, report.profit, report.growth));
}

#[test]
fn the_same_search_finds_nothing_above_fees_on_the_fixed_twin() {
    let (report, _dir) = run_attack("FixedBuyback", 1);
    assert_eq!(report.evaluated, 1500);
    assert!(report.found_profit <= 1e-9, "profit {} from {:?}", report.found_profit, report.found);
    assert!(report.moves.is_empty());
    assert!(report.losses.is_empty(), "{:?}", report.losses);
}

/// `tsp compare --seeds 2 spot.toml fixed.toml --attack-at 1h --attack-spec spec.toml`: a search per
/// design, and the "worst attack found" criterion in criteria.csv (each number the search's own
/// run.json), criteria.md and report.html (with the sequence), FAIL for the planted bug and pass for
/// its fixed twin.
#[test]
fn compare_judges_each_design_by_the_worst_attack_found() {
    let dir = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = vec!["compare".into(), "--seeds".into(), "2".into()];
    for (file, contract) in [("spot.toml", "SpotBuyback"), ("fixed.toml", "FixedBuyback")] {
        let path = dir.path().join(file);
        std::fs::write(&path, netlist(contract)).unwrap();
        args.push(path.display().to_string());
    }
    let spec = dir.path().join("spec.toml");
    std::fs::write(&spec, SPEC).unwrap();
    let out = dir.path().join("out");
    let more = ["--attack-at", "1h", "--attack-budget", "1500", "--jobs", "1", "--kpis", "agent.lp.usd"];
    args.extend(more.iter().map(|s| (*s).to_owned()));
    args.extend([
        "--attack-spec".to_owned(),
        spec.display().to_string(),
        "--out".into(),
        out.display().to_string(),
    ]);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tsp")).args(&args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");

    let csv = std::fs::read_to_string(out.join("criteria.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let field =
        |row: &csv::StringRecord, name: &str| row[header.iter().position(|h| h == name).unwrap()].to_owned();
    let rows: Vec<csv::StringRecord> =
        reader.records().map(Result::unwrap).filter(|r| &r[0] == "worst_attack").collect();
    assert_eq!(rows.len(), 2, "{csv}");
    for (row, design, verdict) in [(&rows[0], "spot", "FAIL"), (&rows[1], "fixed", "pass")] {
        assert_eq!(field(row, "design"), design);
        assert_eq!(field(row, "rule"), "at_most");
        assert_eq!(field(row, "threshold"), "1");
        assert_eq!(field(row, "verdict"), verdict, "{csv}");
        let json: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(out.join("attacks").join(design).join("run.json")).unwrap(),
        )
        .unwrap();
        let pct = json["profit_pct_of_pool"].as_f64().unwrap();
        assert_eq!(field(row, "mean").parse::<f64>().unwrap(), pct, "{design}");
        assert!(field(row, "note").contains("1500 candidates, horizon 4, at 1h"), "{csv}");
    }
    // The planted bug pays more than 1% of the treasury; its twin pays nothing.
    assert!(field(&rows[0], "mean").parse::<f64>().unwrap() > 10.0);
    assert!(field(&rows[1], "mean").parse::<f64>().unwrap() <= 1e-9);

    let markdown = std::fs::read_to_string(out.join("criteria.md")).unwrap();
    assert!(
        markdown.contains("| Worst attack found: the attacker's profit (% of the pool's value) | ≤ 1 |"),
        "{markdown}"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let section = &html[html.find("<section id=\"attacks\">").expect("attack section")..];
    assert!(section.contains("<h3>spot</h3>") && section.contains("@buyback"), "{section}");
    assert!(html.contains("data-criterion=\"worst_attack\""));
}

fn tsp(args: &[&str]) -> (bool, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tsp")).args(args).output().unwrap();
    (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
}

/// Bad attacks are refused before anything runs or is written, with a message naming the spec
/// file and its `[[action]]`/`[[unwind]]` by number, or the option; an error found only during the
/// search (a name the address book lacks at the moment) is told in the spec's terms too, and
/// never replaces an earlier results folder.
#[test]
fn bad_attacks_get_messages_naming_the_spec_or_option() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();
    std::fs::write(path("spot.toml"), netlist("SpotBuyback")).unwrap();
    let sell = "[[action]]\nto = \"@buyback\"\nfunction = \"sell(uint256)\"\nargs = [\"x * to_wei(100)\"]\n";
    let specs: &[(&str, String, &str)] = &[
        ("no_fund", SPEC.replace("fund = { \"@usd\" = 1000.0 }", ""), "no_fund.toml: missing `fund`"),
        (
            "timed",
            SPEC.replacen("[[action]]\n", "[[action]]\nat = \"2h\"\n", 1),
            "timed.toml: action 1: `at`: tsp attack times the attacker's steps itself",
        ),
        (
            "fly",
            format!("{SPEC}\n[[action]]\ndo = \"fly\"\n"),
            "fly.toml: action 4: do = \"fly\": expected \"call\"",
        ),
        (
            "unwind",
            format!("{SPEC}\n{}", sell.replace("[[action]]", "[[unwind]]").replace("@buyback", "@nowhere")),
            "unwind.toml: unwind 1, `to`: `@nowhere`: unknown name @nowhere",
        ),
        (
            "slf",
            SPEC.replace("value = \"balance(@usd, self)", "value = \"balance(@usd, slf)"),
            "slf.toml: value: `balance(@usd, slf)`: `slf`: unknown name",
        ),
        (
            "worth",
            SPEC.replace("value = \"balance(", "value = \"worth("),
            "worth.toml: value: `worth(@usd, self)`: unknown function `worth`",
        ),
    ];
    for (name, text, expected) in specs {
        let spec = path(&format!("{name}.toml"));
        std::fs::write(&spec, text).unwrap();
        let out = path(&format!("out-{name}"));
        let (ok, stderr) =
            tsp(&["attack", &path("spot.toml"), "--spec", &spec, "--budget", "20", "--out", &out]);
        assert!(!ok && stderr.contains(expected), "{name}: expected {expected:?} in:\n{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(!std::path::Path::new(&out).exists(), "{name}: refused, yet {out} was written");
    }
    let spec = path("spec.toml");
    std::fs::write(&spec, SPEC).unwrap();
    let spot = path("spot.toml");
    let options: &[(&[&str], &str)] = &[
        (&["--at", "0h"], "--at 0h: attack after at least one tick (1h)"),
        (&["--at", "10h"], "--at 10h: after the end of"),
        (&["--at", "soon"], "--at \"soon\": duration \"soon\""),
        (&["--horizon", "0"], "--horizon and --budget must be at least 1"),
    ];
    for (args, expected) in options {
        let out = path("out-options");
        let mut all = vec!["attack", &spot, "--spec", &spec, "--out", &out];
        all.extend_from_slice(args);
        let (ok, stderr) = tsp(&all);
        assert!(!ok && stderr.contains(expected), "{args:?}: expected {expected:?} in:\n{stderr}");
        assert!(!std::path::Path::new(&out).exists());
    }
    // No model offers a default attack for this netlist.
    let (ok, stderr) = tsp(&["attack", &path("spot.toml")]);
    assert!(
        !ok && stderr.contains("spot.toml: its models offer no default attack: give --spec FILE"),
        "{stderr}"
    );
    // A folder of the user's is never replaced.
    let kept = dir.path().join("mine");
    std::fs::create_dir(&kept).unwrap();
    std::fs::write(kept.join("notes.txt"), "mine").unwrap();
    let (ok, stderr) = tsp(&[
        "attack",
        &path("spot.toml"),
        "--spec",
        &spec,
        "--budget",
        "20",
        "--out",
        &kept.display().to_string(),
    ]);
    assert!(!ok && stderr.contains("holds files but no run.json"), "{stderr}");
    assert_eq!(std::fs::read_to_string(kept.join("notes.txt")).unwrap(), "mine");
    // An action naming a contract the address book lacks is found when the search runs: the
    // message is in the spec's terms, and the earlier results folder stays as it was.
    let out = path("out-good");
    let (ok, stderr) = tsp(&["attack", &path("spot.toml"), "--spec", &spec, "--budget", "20", "--out", &out]);
    assert!(ok, "{stderr}");
    let before = std::fs::read(dir.path().join("out-good/run.json")).unwrap();
    let nowhere = path("nowhere.toml");
    std::fs::write(&nowhere, format!("{SPEC}\n{}", sell.replace("@buyback", "@nowhere"))).unwrap();
    let (ok, stderr) =
        tsp(&["attack", &path("spot.toml"), "--spec", &nowhere, "--budget", "20", "--out", &out]);
    assert!(
        !ok && stderr.contains("nowhere.toml: action 4, `to`: `@nowhere`: unknown name @nowhere"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(dir.path().join("out-good/run.json")).unwrap(), before);

    // tsp compare --attacks: one folder per design, each a folder of tsp attack.
    let run = path("run-spot");
    let (ok, stderr) = tsp(&["run", &path("spot.toml"), "--out", &run, "--no-charts"]);
    assert!(ok, "{stderr}");
    let compare = path("compare");
    let (ok, stderr) = tsp(&["compare", &run, &run, "--attacks", &out, "--out", &compare]);
    assert!(!ok && stderr.contains("1 attack results for 2 designs"), "{stderr}");
    let (ok, stderr) = tsp(&["compare", &run, "--attacks", &run, "--out", &compare]);
    assert!(!ok && stderr.contains("not the run.json of a `tsp attack` results folder"), "{stderr}");
}
