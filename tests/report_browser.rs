//! The reports in a real browser. Comparison: two short runs of
//! `netlists/simplepool.toml` with the `tsp` binary, `tsp compare` on them,
//! then Debian's headless Chromium loads `report.html` from disk. The dumped
//! DOM must hold the criteria table with one column per run and every chart
//! decoded (`data-images-ok="true"`), and a screenshot must be a real image.
//! Single run: a month of `netlists/ocean_v3.toml`, whose `report.html` must
//! also say what the run is and explain its reverted actions.
//!
//! Needs `/usr/bin/chromium` (`scripts/setup-tests.sh` installs it). Every Chromium
//! is started under coreutils' `timeout`, which kills its whole process group.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CHROMIUM: &str = "/usr/bin/chromium";

fn tsp(args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_tsp"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("tsp binary runs");
    assert!(
        output.status.success(),
        "tsp {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Headless Chromium on `page` with `extra` flags, its own profile, at most 120 s.
fn chromium(profile: &Path, page: &Path, extra: &[&str]) -> Output {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} not found: run scripts/setup-tests.sh (it installs Debian's chromium package)"
    );
    let url = format!("file://{}", page.display());
    let profile = format!("--user-data-dir={}", profile.display());
    let output = Command::new("timeout")
        .args(["-k", "10", "120", CHROMIUM])
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            profile.as_str(),
            "--virtual-time-budget=5000",
        ])
        .args(extra)
        .arg(&url)
        .output()
        .expect("timeout and chromium run");
    assert!(
        output.status.success(),
        "chromium on {url} failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn attribute<'a>(dom: &'a str, name: &str) -> Option<&'a str> {
    let start = dom.find(&format!("{name}=\""))? + name.len() + 2;
    dom[start..].split('"').next()
}

#[test]
fn compare_report_renders_in_headless_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let run_dir = |label: &str| root.join(label);
    for (label, seed) in [("a", 1), ("b", 2)] {
        let out = run_dir(label);
        let seed = format!("sim.seed={seed}");
        tsp(&[
            "run",
            "netlists/simplepool.toml",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
            "--set",
            "sim.duration=\"10d\"",
            "--set",
            &seed,
        ]);
        assert!(out.join("report.html").is_file(), "tsp run writes a single-run report");
    }
    let compare = root.join("compare");
    let (a, b) = (run_dir("a"), run_dir("b"));
    tsp(&["compare", a.to_str().unwrap(), b.to_str().unwrap(), "--out", compare.to_str().unwrap()]);
    for file in ["criteria.md", "criteria.csv", "report.html"] {
        assert!(compare.join(file).is_file(), "tsp compare writes {file}");
    }
    let pngs = pngs_in(&compare);
    // At least the activity charts: swap volume, consume volume, pools.
    assert!(pngs.len() >= 3, "charts written: {pngs:?}");

    let report = compare.join("report.html");
    let dom = chromium(&root.join("profile-dom"), &report, &["--dump-dom"]);
    let dom = String::from_utf8(dom.stdout).unwrap();
    assert!(dom.contains("<table id=\"criteria\">"), "no criteria table in:\n{dom}");
    let criteria = &dom[dom.find("<table id=\"criteria\">").unwrap()..];
    let criteria = &criteria[..criteria.find("</table>").unwrap()];
    assert_eq!(criteria.matches("<th class=\"design\">").count(), 2, "one column per run:\n{criteria}");
    assert!(
        criteria.contains("<th class=\"design\">a</th>") && criteria.contains("<th class=\"design\">b</th>")
    );
    assert_eq!(
        criteria.matches("<tr data-criterion=").count(),
        tokenspice::models::ocean::CRITERIA_SET.criteria.len()
    );
    assert_every_chart_decoded(&dom, &pngs);
    assert_screenshot_shows_a_page(&root, &report);
}

/// The PNG files of `dir` (the charts a report embeds).
fn pngs_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect()
}

/// The DOM of `report` after load must say every one of `pngs` decoded.
fn assert_every_chart_decoded(dom: &str, pngs: &[PathBuf]) {
    assert_eq!(attribute(dom, "data-images-ok"), Some("true"), "not every chart decoded");
    assert_eq!(attribute(dom, "data-images-loaded"), Some(pngs.len().to_string().as_str()));
    assert_eq!(dom.matches("<img class=\"chart\"").count(), pngs.len());
}

/// A 1280×2000 screenshot of `report` is a real PNG with something on it.
fn assert_screenshot_shows_a_page(root: &Path, report: &Path) {
    let shot = root.join("report.png");
    let screenshot = format!("--screenshot={}", shot.display());
    chromium(&root.join("profile-shot"), report, &[&screenshot, "--window-size=1280,2000"]);
    let png = std::fs::read(&shot).expect("chromium wrote the screenshot");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "screenshot is a PNG");
    let (width, height) = (
        u32::from_be_bytes(png[16..20].try_into().unwrap()),
        u32::from_be_bytes(png[20..24].try_into().unwrap()),
    );
    assert_eq!((width, height), (1280, 2000));
    // A blank page compresses to a few KB; tables, text and charts do not.
    assert!(png.len() > 30_000, "screenshot is only {} bytes", png.len());
}

#[test]
fn single_run_report_renders_in_headless_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let out = root.join("run");
    let args = ["run", "netlists/ocean_v3.toml", "--quiet", "--out", out.to_str().unwrap()];
    tsp(&[&args[..], &["--set", "sim.duration=\"30d\""]].concat());
    let pngs = pngs_in(&out);
    assert!(!pngs.is_empty(), "the netlist's chart is drawn");
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let reasons = run["reverts_by_reason"].as_object().unwrap();
    assert!(reasons.contains_key("ERR_LIMIT_IN"), "a month of V3 has consumers priced out: {reasons:?}");

    let report = out.join("report.html");
    let dom = chromium(&root.join("profile-dom"), &report, &["--dump-dom"]);
    let dom = String::from_utf8(dom.stdout).unwrap();
    assert_every_chart_decoded(&dom, &pngs);
    assert!(dom.contains("<section id=\"run-header\">"), "no header in:\n{dom}");
    for line in
        ["<code>netlists/ocean_v3.toml</code>", "design <code>v3</code>", "<code>30d</code> in 720 ticks"]
    {
        assert!(dom.contains(line), "header lacks {line}:\n{dom}");
    }
    assert!(dom.contains("finished: every planned tick ran"));
    let reverts = &dom[dom.find("<section id=\"reverts\">").expect("a reverts section")..];
    let reverts = &reverts[..reverts.find("</section>").unwrap()];
    assert_eq!(reverts.matches("<tr data-reason=").count(), reasons.len().min(10), "{reverts}");
    let limit_in = &reverts[reverts.find("<tr data-reason=\"ERR_LIMIT_IN\">").unwrap()..];
    let limit_in = &limit_in[..limit_in.find("</tr>").unwrap()];
    assert!(limit_in.contains("<td class=\"explained\">"), "{limit_in}");
    assert!(limit_in.contains("<code>maxAmountIn</code>") && limit_in.contains("buy 1 DT"), "{limit_in}");
    assert_screenshot_shows_a_page(&root, &report);
}
