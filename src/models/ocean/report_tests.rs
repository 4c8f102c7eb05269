//! Tests of Ocean's criteria as the report layer scores them: the agreed
//! criteria, tables from single runs and Monte Carlo seeds, the design source
//! sets, and the HTML report.

use super::report::CRITERIA_SET;
use crate::models::criteria::Rule;
use crate::plot::ChartFile;
use crate::report::tests::fake_run;
use crate::report::*;
use std::path::Path;

#[test]
fn criteria_are_the_agreed_ones() {
    let ids: Vec<&str> = CRITERIA_SET.criteria.iter().map(|c| c.id).collect();
    assert_eq!(
        ids,
        [
            "simplicity",
            "stake_price_move",
            "opening_spike",
            "equilibrium_volatility",
            "rug_staker_loss",
            "publisher_incentive",
            "swap_consume_ratio",
            "price_consume_tie"
        ]
    );
    let c = CRITERIA_SET.criterion("rug_staker_loss").unwrap();
    assert_eq!((c.column, c.rule), ("criteria.rug_staker_loss_pct", Rule::AtMost(10.0)));
    assert_eq!(CRITERIA_SET.criterion("publisher_incentive").unwrap().rule, Rule::AtLeast(0.0));
    assert!(CRITERIA_SET.criteria.iter().skip(1).all(|c| c.column.starts_with("criteria.")));
}

#[test]
fn table_from_runs_shows_values_verdicts_and_na() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let columns = ["global.pools", "criteria.opening_spike", "criteria.publisher_net_worth_change_ocean"];
    fake_run(&a, "simA", Some("v3"), &columns, &[&[1.0, 9.0, 0.0], &[2.0, 3.25, -12.5]]);
    fake_run(&b, "simB", Some("nope"), &columns[..2], &[&[1.0, 1.2]]);
    let table =
        CriteriaTable::from_runs(&CRITERIA_SET, &[("A".into(), a.clone()), ("B|x".into(), b)]).unwrap();
    let cell = |id: &str, design: usize| {
        table.rows.iter().find(|r| r.criterion.id == id).unwrap().cells[design].text()
    };
    assert_eq!(cell("opening_spike", 0), "3.250 (FAIL)");
    assert_eq!(cell("opening_spike", 1), "1.200 (pass)");
    assert_eq!(cell("publisher_incentive", 0), "-12.50 (FAIL)");
    assert_eq!(cell("publisher_incentive", 1), "n/a");
    assert_eq!(cell("stake_price_move", 0), "n/a");
    assert!(cell("simplicity", 0).contains("contracts"), "{}", cell("simplicity", 0));
    assert_eq!(cell("simplicity", 1), "n/a");

    // A run on a build from disk: the project's sources are not its sources.
    let c = tmp.path().join("c");
    fake_run(&c, "simC", Some("v3"), &columns, &[&[1.0, 9.0, 0.0]]);
    let run_json = c.join("run.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&run_json).unwrap()).unwrap();
    json["build"] = serde_json::json!({ "build": "vendor/x (@oceanprotocol/contracts@0.6.9)" });
    std::fs::write(&run_json, json.to_string()).unwrap();
    let on_build = CriteriaTable::from_runs(&CRITERIA_SET, &[("C".into(), c)]).unwrap();
    let simplicity = &on_build.rows.iter().find(|r| r.criterion.id == "simplicity").unwrap().cells[0];
    assert!(
        matches!(&simplicity.value, CellValue::Missing(why) if why.contains("@oceanprotocol/contracts@0.6.9")),
        "{simplicity:?}"
    );

    let md = table.to_markdown();
    assert!(md.contains("| criterion | threshold | A | B\\|x |"), "{md}");
    assert!(md.contains(
        "| No price spikes at the beginning (× opening price) | ≤ 1.5 | 3.250 (FAIL) | 1.200 (pass) |"
    ));
    assert!(!md.contains("Paired differences"));
    let csv = table.to_csv().unwrap();
    assert_eq!(
        csv.lines().next().unwrap(),
        "criterion,column,unit,rule,threshold,design,n,mean,half_width,lo,hi,verdict,note"
    );
    assert!(
        csv.contains("opening_spike,criteria.opening_spike,× opening price,at_most,1.5,A,1,3.25,,,,FAIL,\n")
    );
    assert!(
        csv.contains("opening_spike,criteria.opening_spike,× opening price,at_most,1.5,B|x,1,1.2,,,,pass,\n")
    );
    assert_eq!(csv.lines().count(), 1 + 2 * CRITERIA_SET.criteria.len());

    // Missing files are errors naming the file, not panics.
    std::fs::remove_file(a.join("kpis.csv")).unwrap();
    let error = CriteriaTable::from_runs(&CRITERIA_SET, &[("A".into(), a.clone())]).unwrap_err().to_string();
    assert!(error.contains("kpis.csv") && error.contains("missing"), "{error}");
    std::fs::remove_file(a.join("run.json")).unwrap();
    let error = CriteriaTable::from_runs(&CRITERIA_SET, &[("A".into(), a.clone())]).unwrap_err().to_string();
    assert!(error.contains("run.json"), "{error}");
    std::fs::write(a.join("run.json"), "[1]").unwrap();
    let error = CriteriaTable::from_runs(&CRITERIA_SET, &[("A".into(), a)]).unwrap_err().to_string();
    assert!(error.contains("JSON object"), "{error}");
    assert!(CriteriaTable::from_runs(&CRITERIA_SET, &[]).is_err());
}

#[test]
fn monte_carlo_table_has_mean_ci_and_paired_section() {
    let tmp = tempfile::tempdir().unwrap();
    let column = ["criteria.swap_consume_ratio"];
    let mut designs = Vec::new();
    for (label, offset) in [("v3", 0.0), ("v41", -5.0), ("v4", -2.5)] {
        let mut seeds = Vec::new();
        for seed in 1..=4_u64 {
            let dir = tmp.path().join(label).join(seed.to_string());
            fake_run(&dir, label, Some(label), &column, &[&[10.0 + seed as f64 + offset]]);
            seeds.push((seed, dir));
        }
        designs.push((label.to_owned(), seeds));
    }
    let table = CriteriaTable::from_seeds(&CRITERIA_SET, &designs).unwrap();
    assert_eq!(table.seeds, [1, 2, 3, 4]);
    let row = table.rows.iter().find(|r| r.criterion.id == "swap_consume_ratio").unwrap();
    // v3: 11..14 → mean 12.5 ± 2.054 (FAIL, shown to the mean's 4 digits); v41: 6..9 → 7.5 ± 2.054 (pass).
    assert_eq!(row.cells[0].text(), "12.50 ± 2.05 (FAIL)");
    assert_eq!(row.cells[1].text(), "7.500 ± 2.054 (pass)");
    // v4: 8.5..11.5 → 10 ± 2.054 straddles the threshold of 10: neither pass nor FAIL.
    assert_eq!(row.cells[2].text(), "10.00 ± 2.05 (inconclusive)");
    let paired = table.paired.iter().find(|r| r.criterion.id == "swap_consume_ratio").unwrap();
    assert_eq!((paired.diffs[0].mean, paired.diffs[0].ci95_half_width, paired.diffs[0].n), (-5.0, 0.0, 4));
    let md = table.to_markdown();
    assert!(md.contains("Monte Carlo over 4 seeds (seeds 1..=4)"), "{md}");
    assert!(md.contains("## Paired differences against v3"));
    assert!(
        md.contains("| Swap volume tied to consumption (ratio) | -5.000 ± 0.000 * | -2.500 ± 0.000 * |"),
        "{md}"
    );
    let csv = table.to_csv().unwrap();
    let half = 3.182 * (5.0_f64 / 3.0 / 4.0).sqrt();
    let row = |design: &str, mean: f64, verdict: &str| {
        let (lo, hi) = (mean - half, mean + half);
        format!("swap_consume_ratio,criteria.swap_consume_ratio,ratio,at_most,10,{design},4,{mean},{half},{lo},{hi},{verdict},\n")
    };
    assert!(csv.contains(&row("v3", 12.5, "FAIL")), "{csv}");
    assert!(csv.contains(&row("v41", 7.5, "pass")), "{csv}");
    assert!(csv.contains(&row("v4", 10.0, "inconclusive")), "{csv}");
    let seeds = table.to_seeds_csv().unwrap();
    assert!(seeds.starts_with("criterion,design,seed,value\n"));
    assert!(seeds.contains("swap_consume_ratio,v41,3,8\n"), "{seeds}");
    let paired = table.to_paired_csv().unwrap();
    assert!(paired.contains("swap_consume_ratio,v41,v3,4,-5,0,-5,-5,true\n"), "{paired}");
    assert!(paired.contains("swap_consume_ratio,v4,v3,4,-2.5,0,-2.5,-2.5,true\n"), "{paired}");
}

#[test]
fn design_file_sets_resolve_in_this_checkout() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("contracts");
    let v3 = design_files(&root, CRITERIA_SET.design_sources, "v3").unwrap().unwrap();
    assert!(v3.iter().any(|f| f.ends_with("v3/WeightedPool.sol")));
    assert!(v3.iter().any(|f| f.ends_with("tokens/ERC20.sol")));
    assert!(!v3.iter().any(|f| f.starts_with(root.join("v4"))));
    let v4 = design_files(&root, CRITERIA_SET.design_sources, "v41").unwrap().unwrap();
    assert!(v4.iter().any(|f| f.ends_with("v3/BalancerMath.sol")));
    assert!(!v4.iter().any(|f| f.ends_with("v3/WeightedPool.sol")));
    assert_eq!(design_files(&root, CRITERIA_SET.design_sources, "v4").unwrap(), Some(v4));
    assert_eq!(design_files(&root, CRITERIA_SET.design_sources, "v9").unwrap(), None);
    assert!(measure_design(&root, CRITERIA_SET.design_sources, "v3").unwrap().unwrap().functions > 0);
    assert!(design_files(Path::new("/nonexistent"), CRITERIA_SET.design_sources, "v3").is_err());
}

#[test]
fn html_report_is_self_contained() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    fake_run(&run, "sim<1>", None, &["criteria.opening_spike"], &[&[2.0]]);
    let png = tmp.path().join("chart-one.png");
    std::fs::write(&png, [0x89, b'P', b'N', b'G']).unwrap();
    let svg = tmp.path().join("chart-one.svg");
    let table = CriteriaTable::from_runs(&CRITERIA_SET, &[("a&b".into(), run.clone())]).unwrap();
    let intro = "Intro with `code` and **bold**.\n\n- one\n- two";
    let chart = ChartFile { title: "Price <USD>".into(), png, svg };
    let path = write_report(tmp.path(), "T <x>", intro, &table, &[chart]).unwrap();
    let html = std::fs::read_to_string(path).unwrap();
    assert!(html.contains("<title>T &lt;x&gt;</title>"));
    assert!(html.contains("<table id=\"criteria\">"));
    assert_eq!(html.matches("<th class=\"design\">").count(), 1);
    assert!(html.contains("<th class=\"design\">a&amp;b</th>"));
    assert_eq!(html.matches("<img class=\"chart\"").count(), 1);
    assert!(html.contains("alt=\"Chart: Price &lt;USD&gt;\" src=\"data:image/png;base64,iVBORw==\""));
    assert!(html.contains(
        "<figcaption>Price &lt;USD&gt; <span class=\"file\">(chart-one.png, SVG beside it)</span>"
    ));
    assert!(html.contains("<td class=\"fail\">2.000 (FAIL)</td>"));
    assert!(html.contains("<p>Intro with <code>code</code> and <b>bold</b>.</p>"));
    assert!(html.contains("<li>one</li>"));
    assert!(html.contains("dataset.imagesOk") && html.contains("dataset.imagesLoaded"));
    assert!(!html.contains("src=\"http") && !html.contains("href="));
    // A chart that cannot be read is an error naming it.
    let gone =
        ChartFile { title: "t".into(), png: tmp.path().join("gone.png"), svg: tmp.path().join("gone.svg") };
    let error = write_report(tmp.path(), "T", "", &table, &[gone]).unwrap_err();
    assert!(error.to_string().contains("gone.png"));
    // The single-run report scores the run and lands in its directory.
    let single = write_run_report(&run, "solo", &[]).unwrap();
    assert_eq!(single, run.join("report.html"));
}

#[test]
fn single_run_report_explains_ocean_reverts() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    fake_run(&run, "v3", Some("v3"), &["criteria.opening_spike"], &[&[2.0]]);
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("run.json")).unwrap()).unwrap();
    json["models"] = serde_json::json!({ "ocean": { "design": "v3" } });
    json["reverts_by_reason"] = serde_json::json!({ "ERR_LIMIT_IN": 3, "ERR_MAX_IN_RATIO": 1 });
    json["first_reverts"] = serde_json::json!([
        { "tick": 1, "agent": "consumer0", "action": "buy 1 DT", "reason": "ERR_LIMIT_IN" },
    ]);
    std::fs::write(run.join("run.json"), json.to_string()).unwrap();
    let html = std::fs::read_to_string(write_run_report(&run, "v3", &[]).unwrap()).unwrap();
    let header = html.find("<section id=\"run-header\">").expect("a header");
    let reverts = html.find("<section id=\"reverts\">").expect("a reverts section");
    assert!(header < reverts && reverts < html.find("<table id=\"criteria\">").unwrap());
    assert!(html.contains("<b>Models</b> ocean, design <code>v3</code>"), "{html}");
    let limit_in = &html[html.find("<tr data-reason=\"ERR_LIMIT_IN\">").unwrap()..];
    let limit_in = &limit_in[..limit_in.find("</tr>").unwrap()];
    assert!(limit_in.contains("<code>maxAmountIn</code>") && limit_in.contains("Consumers buy exactly 1"));
    assert!(limit_in.contains("<code>buy 1 DT</code> ×1 by consumer0"), "{limit_in}");
    assert!(html.contains(
        "<tr data-reason=\"ERR_MAX_IN_RATIO\"><td><code>ERR_MAX_IN_RATIO</code></td><td>1</td>\
                           <td class=\"explained\">The input was more than half"
    ));
}
