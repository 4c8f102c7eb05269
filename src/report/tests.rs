//! Unit tests of the report layer: rules, statistics against hand-computed
//! numbers, table formatting from fake results directories, HTML and base64.

use super::format::{number, stats_text};
use super::*;
use super::{core_reverts, html, run_page};
use std::path::Path;

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance
}

/// A results directory with `kpis.csv` rows and a run.json naming `design`
/// (used by the models' report tests too).
pub(crate) fn fake_run(dir: &Path, name: &str, design: Option<&str>, columns: &[&str], rows: &[&[f64]]) {
    std::fs::create_dir_all(dir).unwrap();
    let mut csv = format!("tick,time_s,{}\n", columns.join(","));
    for (tick, row) in rows.iter().enumerate() {
        let values: Vec<String> = row.iter().map(|v| format!("{v}")).collect();
        csv.push_str(&format!("{tick},{},{}\n", tick * 86_400, values.join(",")));
    }
    std::fs::write(dir.join("kpis.csv"), csv).unwrap();
    let mut json =
        serde_json::json!({ "resolved": { "sim": { "name": name } }, "seed": 1, "netlist": "x.toml" });
    if let Some(design) = design {
        json["design"] = design.into();
    }
    std::fs::write(dir.join("run.json"), json.to_string()).unwrap();
}

#[test]
fn rules_judge_and_print_thresholds() {
    use crate::models::criteria::Verdict::{Fail, Inconclusive, Pass};
    assert_eq!(Rule::AtMost(1.0).verdict(1.0), Some(Pass));
    assert_eq!(Rule::AtMost(1.0).verdict(1.0001), Some(Fail));
    assert_eq!(Rule::AtLeast(0.5).verdict(0.5), Some(Pass));
    assert_eq!(Rule::AtLeast(0.5).verdict(-3.0), Some(Fail));
    assert_eq!(Rule::Reported.verdict(3.0), None);
    assert_eq!(Rule::AtMost(1.0).verdict(f64::NAN), None);
    // An interval: pass only when all of it passes, FAIL when none of it does.
    assert_eq!(Rule::AtMost(1.0).verdict_interval(0.2, 0.9), Some(Pass));
    assert_eq!(Rule::AtMost(1.0).verdict_interval(0.9, 1.1), Some(Inconclusive));
    assert_eq!(Rule::AtMost(1.0).verdict_interval(1.01, 1.5), Some(Fail));
    assert_eq!(Rule::AtLeast(0.0).verdict_interval(4.77 - 13.64, 4.77 + 13.64), Some(Inconclusive));
    assert_eq!(Rule::AtLeast(0.0).verdict_interval(0.0, 3.0), Some(Pass));
    assert_eq!(Rule::AtLeast(0.0).verdict_interval(f64::NAN, f64::NAN), None);
    assert_eq!(Rule::AtMost(1.5).threshold_text(), "≤ 1.5");
    assert_eq!(Rule::AtLeast(0.0).threshold_ascii(), ">= 0");
    assert_eq!(Rule::Reported.threshold_text(), "reported");
}

#[test]
fn seed_stats_match_hand_computation() {
    // [1,2,3,4]: mean 2.5, sd sqrt(5/3) = 1.29099, t(3) = 3.182 → 3.182 * 1.29099 / 2 = 2.05397.
    let s = SeedStats::of(&[1.0, 2.0, 3.0, 4.0]);
    assert_eq!(s.n, 4);
    assert!(close(s.mean, 2.5, 1e-12));
    assert!(close(s.ci95_half_width, 3.182 * (5.0_f64 / 3.0).sqrt() / 2.0, 1e-12));
    assert!(close(s.ci95_half_width, 2.054, 5e-4));
    // Non-finite seeds are left out; one value has no interval; none has no mean.
    let one = SeedStats::of(&[f64::NAN, 7.0]);
    assert_eq!((one.n, one.mean), (1, 7.0));
    assert!(one.ci95_half_width.is_nan());
    assert!(SeedStats::of(&[]).mean.is_nan());
    assert_eq!(t_critical_95(1), 12.706);
    assert_eq!(t_critical_95(30), 2.042);
    assert_eq!(t_critical_95(31), 1.96);
    assert!(t_critical_95(0).is_nan());
}

#[test]
fn paired_differences_use_common_seeds() {
    // Diffs on seeds 1..=3: 1, 2, 3 (seed 4 only in b, seed 5 NaN in a) → mean 2, sd 1, t(2) = 4.303.
    let a = [(1, 10.0), (2, 20.0), (3, 30.0), (5, f64::NAN)];
    let b = [(1, 11.0), (2, 22.0), (3, 33.0), (4, 99.0), (5, 1.0)];
    let d = paired_differences(&a, &b);
    assert_eq!(d.n, 3);
    assert!(close(d.mean, 2.0, 1e-12));
    assert!(close(d.ci95_half_width, 4.303 / 3.0_f64.sqrt(), 1e-12));
    assert!(!d.excludes_zero()); // 2 ± 2.484
                                 // Equal noise on both designs cancels: the paired interval is tight.
    let a = [(1, 5.0), (2, 50.0), (3, 500.0)];
    let b = [(1, 6.0), (2, 51.1), (3, 500.9)];
    assert!(paired_differences(&a, &b).excludes_zero());
}

#[test]
fn numbers_keep_four_significant_digits() {
    assert_eq!(number(2.05397), "2.054");
    assert_eq!(number(123.456), "123.5");
    assert_eq!(number(12345.6), "12346");
    assert_eq!(number(0.012345), "0.01235");
    assert_eq!(number(0.0), "0");
    assert_eq!(number(-1.5), "-1.500");
    assert_eq!(number(1e-7), "1.000e-7");
    assert_eq!(number(f64::NAN), "n/a");
    // A mean and its interval share decimals: float noise does not show.
    let noisy = SeedStats { mean: 10.0, ci95_half_width: 7.6e-15, n: 3 };
    assert_eq!(stats_text(&noisy), "10.00 ± 0.00");
    let wide = SeedStats { mean: 0.07956, ci95_half_width: 0.1127, n: 3 };
    assert_eq!(stats_text(&wide), "0.0796 ± 0.1127");
    let zero = SeedStats { mean: 0.0, ci95_half_width: 0.0, n: 3 };
    assert_eq!(stats_text(&zero), "0 ± 0");
}

#[test]
fn simplicity_counts_code_not_comments() {
    let source = r#"// SPDX-License-Identifier: MIT
pragma solidity ^0.8.0;

/// NatSpec line
interface IThing { function f() external view returns (uint256); }
/* block
   comment with function g() public {} */
contract Thing is IThing {
    string constant S = "// not a comment; contract X";
    function (uint256) external pure returns (uint256) hook;
    function f() external view returns (uint256) { return 1; }
    function g() public { }
    function h() internal { }
    function k() private { }
}
abstract contract A { function z() public virtual; }
library L { function w(uint256 x) external pure returns (uint256) { return x; } }
"#;
    let s = measure_source(source);
    assert_eq!((s.files, s.contracts, s.functions), (1, 4, 3));
    assert_eq!(s.lines, 12);
    assert_eq!(s.text(), "4 contracts, 12 lines, 3 functions");
}

#[test]
fn base64_matches_rfc4648_vectors() {
    let cases = [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("foobar", "Zm9vYmFy"),
    ];
    for (plain, encoded) in cases {
        assert_eq!(base64_encode(plain.as_bytes()), encoded);
    }
    assert_eq!(base64_encode(&[0xff, 0xfe, 0xfd]), "//79");
}

/// A run.json of a stopped run with awkward text everywhere: markup in the
/// netlist, description, reasons, actions and agent names; eleven reasons.
fn awkward_run_json() -> serde_json::Value {
    let mut by_reason = serde_json::Map::new();
    by_reason.insert("<script>x</script>".into(), 500.into());
    by_reason.insert("ERC20: insufficient balance".into(), 40.into());
    for i in 0..9 {
        by_reason.insert(format!("E{i}"), (9 - i).into());
    }
    let first = |agent: &str, action: &str, reason: &str| serde_json::json!({ "tick": 3, "agent": agent, "action": action, "reason": reason });
    serde_json::json!({
        "status": "stopped",
        "netlist": "nets/a<b>.toml",
        "resolved": { "sim": { "name": "n", "description": "Tom & \"Jerry\"\n\nsecond paragraph",
                               "duration": "10d", "tick": "1h" } },
        "seed": 7, "ticks": 42, "ticks_planned": 240, "rows": 43, "reverts": 585, "pools": 1,
        "stopped": "supply <= reserve failed",
        "violations": [{ "invariant": "backed<1>", "tick": 41, "message": "m" }],
        "agents": { "whale": 1, "saver": 3 },
        "reverts_by_reason": by_reason,
        "first_reverts": [
            first("a\"1", "buy <all>", "<script>x</script>"),
            first("a2", "buy <all>", "<script>x</script>"),
            first("a3", "buy <all>", "<script>x</script>"),
            first("a4", "buy <all>", "<script>x</script>"),
            first("a1", "sell", "<script>x</script>"),
            first("saver1", "pay", "ERC20: insufficient balance"),
        ],
        "wall_time_s": 1.234, "ticks_per_s": 34.0,
    })
}

#[test]
fn run_header_says_what_the_run_is_and_escapes_it() {
    let json = awkward_run_json();
    let info = RunInfo::from_json(Path::new("/r"), &json);
    let html = run_page::run_header_html(&info, &json);
    assert!(html.starts_with("<section id=\"run-header\">\n<h2>What this run is</h2>"), "{html}");
    assert!(html.ends_with("</section>") && !html.contains("\n\n"), "one Markdown block:\n{html}");
    assert!(html.contains("<code>nets/a&lt;b&gt;.toml</code>: Tom &amp; &quot;Jerry&quot;\nsecond paragraph"));
    assert!(
        html.contains("<b>Models</b> none (the core&#39;s agents") || html.contains("<b>Models</b> none")
    );
    assert!(
        html.contains("<code>10d</code> in 42 of 240 planned ticks of <code>1h</code>, seed 7"),
        "{html}"
    );
    assert!(html.contains("<b>Agents</b> 4: 3 <code>saver</code>, 1 <code>whale</code>"), "{html}");
    assert!(
        html.contains(
            "stopped</b> by invariant <code>backed&lt;1&gt;</code> at tick 41: supply &lt;= reserve failed"
        ),
        "{html}"
    );
    assert!(html.contains("<b>Outcome</b> 43 KPI rows, 1 pool, 585 reverted actions"), "{html}");
    assert!(html.contains("<b>Wall time</b> 1.23 s (34 ticks/s)"), "{html}");
    assert!(!html.contains("<script>") && !html.contains("a<b>"));
}

#[test]
fn reverts_table_ranks_explains_and_escapes_reasons() {
    let json = awkward_run_json();
    let info = RunInfo::from_json(Path::new("/r"), &json);
    let html = run_page::reverts_html(&info, &json);
    assert!(html.starts_with("<section id=\"reverts\">\n<h2>Reverted actions</h2>"), "{html}");
    assert!(!html.contains("\n\n") && !html.contains("<script>"), "{html}");
    assert!(html.contains("<p>585 of the agents' actions reverted, for 11 reasons."), "{html}");
    assert!(html.contains("the run goes on"));
    // Largest first, ten rows, the rest summed.
    let rows: Vec<&str> =
        html.split("<tr data-reason=\"").skip(1).map(|r| r.split('"').next().unwrap()).collect();
    assert_eq!(rows.len(), 10);
    assert_eq!(&rows[..3], ["&lt;script&gt;x&lt;/script&gt;", "ERC20: insufficient balance", "E0"]);
    assert!(html.contains("<p>and 1 more reason (1 revert)"), "{html}");
    // An unknown reason says so; the core explains ERC-20 reasons.
    let first_row = &html[html.find("<tr data-reason=").unwrap()..];
    assert!(first_row.contains("<td class=\"na\">no explanation known</td>"));
    assert!(first_row.contains(
        "<code>buy &lt;all&gt;</code> ×4 by 4 agents (a&quot;1, a2, a3, …)<br><code>sell</code> ×1 by a1"
    ));
    let erc20 = &html[html.find("data-reason=\"ERC20").unwrap()..];
    let erc20_cells = "<td><code>ERC20: insufficient balance</code></td><td>40</td>\
                       <td class=\"explained\">A token transfer moved more than the sender held";
    assert!(erc20.contains(erc20_cells), "{erc20}");
    assert!(erc20.contains("<code>pay</code> ×1 by saver1"));
    // Reverts beyond run.json's first ones: the column says how many it saw.
    assert!(html.contains("<th>from (in the first 6 reverts)</th>"));
    assert!(html.contains("<td class=\"na\">not among the first 6 recorded</td>"));
}

#[test]
fn runs_without_reverts_say_so_and_sections_pass_through_markdown() {
    let json = serde_json::json!({ "status": "finished", "reverts": 0, "reverts_by_reason": {} });
    let info = RunInfo::from_json(Path::new("/r"), &json);
    let html = run_page::reverts_html(&info, &json);
    assert_eq!(
        html,
        "<section id=\"reverts\">\n<h2>Reverted actions</h2>\n<p>No action reverted.</p>\n</section>"
    );
    let header = run_page::run_header_html(&info, &json);
    assert!(header.contains("<b>Status</b> finished: every planned tick ran"), "{header}");
    assert!(
        !header.contains("<b>Netlist</b>") && !header.contains("<b>Agents</b>"),
        "absent keys leave lines out"
    );
    let page = html::markdown_to_html(&format!("{html}\n\nAfter **it**.\n\n<sectioned> text"));
    assert!(page.starts_with(&html), "{page}");
    assert!(
        page.contains("<p>After <b>it</b>.</p>") && page.contains("<p>&lt;sectioned&gt; text</p>"),
        "{page}"
    );
    assert_eq!(core_reverts::explain_core_revert("panic 0x11").map(|m| m.contains("overflow")), Some(true));
    assert_eq!(core_reverts::explain_core_revert("ERR_LIMIT_IN"), None, "protocol reasons belong to models");
}
