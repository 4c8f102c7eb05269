//! Bad netlists: every case is a clear error naming the file and the
//! problem; none panics. Cases are written to a temporary directory.

use tokenspice::netlist::load;

const SIM: &str = "[sim]\nname = \"t\"\ntick = \"1h\"\nduration = \"2d\"\n";
const AGENT: &str = "[[agent]]\ntype = \"consumer\"\nname = \"c\"\n";

/// (case name, netlist text, text the error must contain)
fn cases() -> Vec<(&'static str, String, &'static str)> {
    let with_sim = |rest: &str| format!("{SIM}{rest}");
    let with_agent = |extra: &str| format!("{SIM}{AGENT}{extra}");
    let sim_with = |line: &str| format!("[sim]\nname = \"t\"\ntick = \"1h\"\n{line}\n{AGENT}");
    vec![
        ("syntax: unclosed table", "[sim\nname = 1".into(), "line"),
        ("syntax: bad string", "[sim]\nname = \"t\n".into(), "line"),
        ("syntax: duplicate key", format!("{SIM}name = \"u\"\n{AGENT}"), "duplicate"),
        ("missing sim", AGENT.to_string(), "missing [sim]"),
        ("unknown sim key", sim_with("duration = \"2d\"\nspeed = 3"), "unknown field `speed`"),
        ("unknown top-level key", format!("{SIM}{AGENT}[extras]\na = 1\n"), "unknown top-level key `extras`"),
        ("wrong type: seed", sim_with("duration = \"2d\"\nseed = \"x\""), "seed"),
        ("wrong type: shuffle", sim_with("duration = \"2d\"\nshuffle = 3"), "shuffle"),
        ("wrong type: tick", format!("[sim]\nname = \"t\"\ntick = 5\nduration = \"2d\"\n{AGENT}"), "tick"),
        ("negative seed", sim_with("duration = \"2d\"\nseed = -1"), "seed"),
        ("duration 0", sim_with("duration = \"0d\""), "shorter than one tick"),
        ("ticks 0", sim_with("ticks = 0"), "ticks must be at least 1"),
        ("tick 0", format!("[sim]\nname = \"t\"\ntick = \"0s\"\nduration = \"2d\"\n{AGENT}"), "tick must be longer than 0s"),
        ("duration and ticks", sim_with("duration = \"2d\"\nticks = 5"), "either duration or ticks"),
        ("neither duration nor ticks", sim_with(""), "needs duration"),
        ("bad duration unit", sim_with("duration = \"2x\""), "unknown unit"),
        ("duration without unit", sim_with("duration = \"20\""), "has no unit"),
        ("log_every 0", sim_with("duration = \"2d\"\nlog_every = \"0h\""), "log_every"),
        ("empty name", format!("[sim]\nname = \"\"\ntick = \"1h\"\nduration = \"2d\"\n{AGENT}"), "name must not be empty"),
        ("no agents", with_sim(""), "no [[agent]]"),
        ("agent without type", with_sim("[[agent]]\nname = \"a\"\n"), "missing `type`"),
        ("agent without name", with_sim("[[agent]]\ntype = \"consumer\"\n"), "missing `name`"),
        ("unknown agent type", with_sim("[[agent]]\ntype = \"wizard\"\nname = \"w\"\n"), "unknown agent type \"wizard\""),
        ("unknown agent key", with_agent("colour = \"red\"\n"), "unknown field `colour`"),
        ("agent wrong type", with_agent("ocean = \"lots\"\n"), "ocean"),
        ("negative amount", with_agent("ocean = -5.0\n"), "must be a finite number ≥ 0"),
        ("NaN amount", with_agent("ocean = nan\n"), "must be a finite number ≥ 0"),
        ("infinite amount", with_agent("ocean = inf\n"), "must be a finite number ≥ 0"),
        ("zero period", with_agent("every = \"0d\"\n"), "every must be longer than 0s"),
        ("fraction above 1", with_sim("[[agent]]\ntype = \"speculator\"\nname = \"s\"\ntrade_fraction = 1.5\n"), "between 0 and 1"),
        ("count 0", with_agent("count = 0\n"), "`count` must be an integer"),
        ("count not integer", with_agent("count = 1.5\n"), "`count` must be an integer"),
        ("duplicate names", format!("{SIM}{AGENT}{AGENT}"), "used twice"),
        ("bad name characters", with_sim("[[agent]]\ntype = \"consumer\"\nname = \"a b\"\n"), "may hold only"),
        (
            "dangling grant reference",
            with_sim("[[agent]]\ntype = \"grant_giver\"\nname = \"g\"\nusd = 10.0\nto = \"nobody\"\namount = 1.0\nevery = \"1d\"\n"),
            "refers to agent \"nobody\"",
        ),
        ("publisher pool larger than mint", with_sim("[[agent]]\ntype = \"publisher\"\nname = \"p\"\ndt_mint = 10.0\ndt_in_pool = 20.0\n"), "dt_in_pool"),
        ("agent not a table", format!("agent = [1, 2]\n{SIM}"), "must be a table"),
        ("agent not an array", format!("agent = 3\n{SIM}"), "array of tables"),
        ("other build", format!("{SIM}{AGENT}[contracts]\nbuild = \"vendor/x\"\n"), "[contracts] build"),
        ("chart without kpis", format!("{SIM}{AGENT}[[chart]]\ntitle = \"x\"\n"), "kpis"),
        ("malicious publisher without rug_after", with_sim("[[agent]]\ntype = \"malicious_publisher\"\nname = \"m\"\n"), "rug_after"),
        (
            "scripted unknown action",
            with_sim("[[agent]]\ntype = \"scripted\"\nname = \"s\"\nactions = [{ at = \"1h\", do = \"fly\" }]\n"),
            "fly",
        ),
        (
            "scripted bad signature",
            with_sim("[[agent]]\ntype = \"publisher\"\nname = \"p\"\n[[agent]]\ntype = \"scripted\"\nname = \"s\"\nactions = [{ at = \"1h\", do = \"call\", to = \"@pool0\", function = \"oops(\" }]\n"),
            "function = \"oops(\" does not parse",
        ),
        (
            "scripted wrong argument type",
            with_sim("[[agent]]\ntype = \"publisher\"\nname = \"p\"\n[[agent]]\ntype = \"scripted\"\nname = \"s\"\nactions = [{ at = \"1h\", do = \"call\", to = \"@pool0\", function = \"setSwapFee(uint256)\", args = [true] }]\n"),
            "true does not fit uint256",
        ),
        (
            "scripted dangling pool",
            with_sim("[[agent]]\ntype = \"publisher\"\nname = \"p\"\n[[agent]]\ntype = \"scripted\"\nname = \"s\"\nactions = [{ at = \"1h\", do = \"stake\", pool = 3, ocean = 1.0 }]\n"),
            "refers to pool 3",
        ),
        (
            "vesting dangling beneficiary",
            with_sim("[[agent]]\ntype = \"vesting_funder\"\nname = \"v\"\nocean = 1.0\nbeneficiary = \"ghost\"\nduration = \"1y\"\n"),
            "refers to agent \"ghost\"",
        ),
    ]
}

#[test]
fn every_bad_netlist_gives_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let cases = cases();
    assert!(cases.len() >= 30);
    for (i, (case, text, needle)) in cases.into_iter().enumerate() {
        let file = dir.path().join(format!("case{i}.toml"));
        std::fs::write(&file, text).unwrap();
        let result = std::panic::catch_unwind(|| load(&file, &[]));
        let outcome = result.unwrap_or_else(|_| panic!("{case}: panicked"));
        let error = format!("{:#}", outcome.expect_err(case));
        assert!(error.contains(&format!("case{i}.toml")), "{case}: names the file: {error}");
        assert!(error.contains(needle), "{case}: expected {needle:?} in: {error}");
    }
}

#[test]
fn overrides_apply_and_bad_overrides_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ok.toml");
    std::fs::write(&file, format!("{SIM}{AGENT}")).unwrap();
    let loaded = load(&file, &["sim.seed=7".to_string()]).unwrap();
    assert_eq!(loaded.netlist.sim.seed, 7);
    let error = format!("{:#}", load(&file, &["sim.seed".to_string()]).unwrap_err());
    assert!(error.contains("key=value"), "{error}");
    let error = format!("{:#}", load(&file, &["sim.tick=\"-1h\"".to_string()]).unwrap_err());
    assert!(error.contains("tick"), "{error}");
    let missing = format!("{:#}", load(&dir.path().join("nope.toml"), &[]).unwrap_err());
    assert!(missing.contains("nope.toml"), "{missing}");
}

#[test]
fn kpi_and_chart_patterns_must_match_columns() {
    let dir = tempfile::tempdir().unwrap();
    for (text, needle) in [
        (format!("{SIM}{AGENT}[kpis]\ninclude = [\"agent.nobody.*\"]\n"), "matches no KPI column"),
        (format!("{SIM}{AGENT}[[chart]]\ntitle = \"x\"\nkpis = [\"pool.*.nothing\"]\n"), "matches no recorded KPI column"),
        (
            format!("{SIM}{AGENT}[kpis]\ninclude = [\"global.*\"]\n[[chart]]\ntitle = \"x\"\nkpis = [\"agent.c.ocean\"]\n"),
            "matches no recorded KPI column",
        ),
    ] {
        let file = dir.path().join("kpis.toml");
        std::fs::write(&file, text).unwrap();
        let loaded = load(&file, &[]).unwrap();
        let engine = loaded.build().unwrap();
        let error = format!("{:#}", loaded.selected_columns(engine.columns()).unwrap_err());
        assert!(error.contains("kpis.toml") && error.contains(needle), "{error}");
    }
    let file = dir.path().join("ok.toml");
    std::fs::write(&file, format!("{SIM}{AGENT}[kpis]\ninclude = [\"global.*\", \"agent.c.ocean\"]\n"))
        .unwrap();
    let loaded = load(&file, &[]).unwrap();
    let engine = loaded.build().unwrap();
    assert_eq!(
        loaded.selected_columns(engine.columns()).unwrap().len(),
        9,
        "8 global columns and one agent column"
    );
}
