//! `tsp build` on projects that are not this one, each compiled with the
//! compiler it asks for (installed from the npm registry on first use) and
//! checked by deploying the result in the embedded EVM: an OpenZeppelin
//! ERC20 (solc 0.8, imports from node_modules, version from the pragmas), a
//! solc 0.5.7 project, and Ocean's 0.6.9 contracts rebuilt from the sources
//! their npm package embeds — byte for byte the published bytecode, and an
//! edited copy whose KPIs move exactly as the edit predicts.

#[path = "support/ocean_builds.rs"]
mod ocean_builds;

use alloy_primitives::{Address, U256};
use ocean_builds::{build_override, ocean_build, repo};
use std::path::Path;
use std::process::{Command, Output};
use tokenspice::artifacts::Artifact;
use tokenspice::chain::{address_for, Backend, Chain, GOD};
use tokenspice::cli::run_to_dir;
use tokenspice::kpis::{read_kpis, KpiTable};
use tokenspice::netlist::load;

alloy_sol_types::sol! {
    function balanceOf(address who) external view returns (uint256);
    function transfer(address to, uint256 amount) external returns (bool);
    function totalSupply() external view returns (uint256);
}

fn tsp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tsp")).args(args).output().unwrap()
}

fn build(root: &Path, extra: &[&str]) -> String {
    let mut args = vec!["build", "--root", root.to_str().unwrap()];
    args.extend_from_slice(extra);
    let output = tsp(&args);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "tsp build failed: {stdout}{}", String::from_utf8_lossy(&output.stderr));
    stdout
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Deploy `name` from `out`, then check a transfer of a token minted to
/// the deployer.
fn deploy_and_transfer(out: &Path, name: &str, args: &[&str], minted: U256) {
    let artifact = Artifact::from_foundry_dir(out, name).unwrap();
    let mut chain = Chain::new();
    let token = chain.deploy_contract(GOD, artifact.init_code_from_strs(args).unwrap()).unwrap();
    assert_eq!(chain.view(token, &balanceOfCall { who: GOD }).unwrap(), minted);
    let alice: Address = address_for("alice");
    chain.send(GOD, token, &transferCall { to: alice, amount: U256::from(7) }).unwrap();
    assert_eq!(chain.view(token, &balanceOfCall { who: alice }).unwrap(), U256::from(7));
    assert_eq!(chain.view(token, &totalSupplyCall {}).unwrap(), minted);
}

#[test]
fn an_openzeppelin_erc20_project_compiles_with_the_compiler_its_pragmas_ask_for() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("package.json"),
        r#"{"private": true, "dependencies": {"@openzeppelin/contracts": "5.1.0"}}"#,
    );
    let npm = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(npm.status.success(), "npm install: {}", String::from_utf8_lossy(&npm.stderr));
    write(
        &dir.path().join("contracts/MyToken.sol"),
        r#"// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
contract MyToken is ERC20 {
    constructor(uint256 supply) ERC20("My Token", "MY") { _mint(msg.sender, supply); }
}
"#,
    );
    let said = build(dir.path(), &[]);
    assert!(said.contains("with solc 0.8."), "the newest 0.8 release the pragmas accept: {said}");
    let out = dir.path().join("out");
    let artifact = std::fs::read_to_string(out.join("MyToken.sol/MyToken.json")).unwrap();
    assert!(artifact.contains("\"rawMetadata\""), "artifacts carry the compiler metadata");
    assert!(out.join("ERC20.sol/ERC20.json").is_file(), "imported contracts get artifacts too");
    deploy_and_transfer(&out, "MyToken", &["1000000"], U256::from(1_000_000));

    let again = build(dir.path(), &[]);
    assert!(again.contains("1 unchanged group(s) reused"), "an unchanged project is not recompiled: {again}");
}

#[test]
fn a_solc_0_5_7_project_compiles_with_the_old_compiler_interface() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("contracts/OldToken.sol"),
        r#"pragma solidity 0.5.7;
import "./Math.sol";
contract OldToken {
    using Math for uint256;
    mapping(address => uint256) public balanceOf;
    uint256 public totalSupply;
    constructor(uint256 supply) public { balanceOf[msg.sender] = supply; totalSupply = supply; }
    function transfer(address to, uint256 amount) public returns (bool) {
        balanceOf[msg.sender] = balanceOf[msg.sender].sub(amount);
        balanceOf[to] = balanceOf[to].add(amount);
        return true;
    }
}
"#,
    );
    write(
        &dir.path().join("contracts/Math.sol"),
        r#"pragma solidity >=0.5.0 <0.6.0;
library Math {
    function add(uint256 a, uint256 b) internal pure returns (uint256) { uint256 c = a + b; require(c >= a, "overflow"); return c; }
    function sub(uint256 a, uint256 b) internal pure returns (uint256) { require(b <= a, "underflow"); return a - b; }
}
"#,
    );
    let said = build(dir.path(), &[]);
    assert!(said.contains("solc 0.5.7+commit"), "{said}");
    deploy_and_transfer(&dir.path().join("out"), "OldToken", &["500"], U256::from(500));
}

/// Ocean 0.6.9's sources, rebuilt from its npm package into `dest`.
fn ocean_sources(dest: &Path) {
    let artifacts = ocean_build("0.6.9").join("artifacts");
    let script = repo("scripts/ocean-0.6.9-sources.js");
    let output = Command::new("node").arg(script).arg(&artifacts).arg(dest).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn ocean_0_6_9_sources_recompile_to_the_published_bytecode_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    ocean_sources(dir.path());
    let said = build(dir.path(), &[]);
    assert!(said.contains("solc 0.5.7+commit.6da8b019"), "foundry.toml's compiler: {said}");
    let published = ocean_build("0.6.9").join("artifacts");
    let mut compared = 0;
    for entry in std::fs::read_dir(&published).unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let Ok(truffle) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
        let Some(code) = truffle["bytecode"].as_str().filter(|c| c.len() > 2) else { continue };
        let name = truffle["contractName"].as_str().unwrap();
        let file = Path::new(truffle["sourcePath"].as_str().unwrap()).file_name().unwrap();
        let ours =
            std::fs::read_to_string(dir.path().join("out").join(file).join(format!("{name}.json"))).unwrap();
        let ours: serde_json::Value = serde_json::from_str(&ours).unwrap();
        assert_eq!(ours["bytecode"]["object"].as_str(), Some(code), "{name}: creation code");
        assert_eq!(ours["deployedBytecode"]["object"], truffle["deployedBytecode"], "{name}: runtime code");
        compared += 1;
    }
    assert!(compared >= 15, "every deployable contract compared ({compared})");
}

fn run(overrides: &[String]) -> KpiTable {
    let dir = tempfile::tempdir().unwrap();
    let netlist = repo("netlists/ocean_v3.toml");
    let loaded = load(&netlist, overrides).unwrap_or_else(|e| panic!("{e:#}"));
    run_to_dir(&loaded, dir.path(), false).unwrap_or_else(|e| panic!("{e:#}"));
    read_kpis(&dir.path().join("kpis.csv")).unwrap()
}

#[test]
fn an_edited_copy_of_ocean_0_6_9_moves_the_kpis_as_the_edit_predicts() {
    let dir = tempfile::tempdir().unwrap();
    ocean_sources(dir.path());
    // The edit: every pool charges three times the swap fee its controller
    // sets (the last assignment is `setSwapFee`'s; the first, `_initialize`'s).
    let pool = dir.path().join("project:/contracts/balancer/BPool.sol");
    let mut source = std::fs::read_to_string(&pool).unwrap();
    let at = source.rfind("_swapFee = swapFee;").unwrap();
    assert!(source[..at].contains("function setSwapFee"), "the last assignment is in setSwapFee");
    source.replace_range(at..at + "_swapFee = swapFee;".len(), "_swapFee = swapFee * 3;");
    std::fs::write(&pool, source).unwrap();

    let short = "sim.duration=\"90d\"".to_string();
    let adapter = "contracts.adapter=\"ocean-0.6.9\"".to_string();
    // Compiled at load: `[contracts] sources` instead of `tsp build` + `build`.
    let sources = format!("contracts.sources={:?}", dir.path().display().to_string());
    let edited_run = run(&[short.clone(), sources.clone(), adapter]);
    let both = load(&repo("netlists/ocean_v3.toml"), &[sources, build_override(dir.path())]);
    let Err(error) = both else { panic!("sources and build together are refused") };
    let message = format!("{error:#}");
    assert!(message.contains("gives both sources") && message.contains("give one"), "{message}");
    // Prediction: the published build with every publisher setting 0.3%.
    let published = build_override(&ocean_build("0.6.9"));
    let tripled_fee =
        ["agent.publisher.swap_fee=0.003".to_string(), "agent.rugger.swap_fee=0.003".to_string()];
    let predicted = run(&[short.clone(), published.clone(), tripled_fee[0].clone(), tripled_fee[1].clone()]);
    let unedited = run(&[short, published]);
    assert_eq!(edited_run.columns, predicted.columns);
    let mut moved = 0;
    for (name, ((edited, predicted), unedited)) in
        edited_run.columns.iter().zip(edited_run.values.iter().zip(&predicted.values).zip(&unedited.values))
    {
        if name == "global.gas_used" {
            continue; // other bytecode, other gas
        }
        // `fees_ocean` is volume times the netlist's fee, which the edited
        // build triples behind the netlist's back.
        let scale = if name.ends_with(".fees_ocean") { 3.0 } else { 1.0 };
        for (row, (x, y)) in edited.iter().zip(predicted).enumerate() {
            let same =
                x * scale == *y || (x * scale - y).abs() <= 1e-12 * y.abs() || (x.is_nan() && y.is_nan());
            assert!(same, "{name} at row {row}: edited build {x} (x{scale}), predicted {y}");
        }
        moved += usize::from(edited.iter().zip(unedited).any(|(x, y)| x != y && !(x.is_nan() && y.is_nan())));
    }
    assert!(moved > 50, "the fee moves many KPIs ({moved})");
}

#[test]
fn simplicity_is_measured_from_the_sources_a_build_carries() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    ocean_sources(&project);
    let short = "sim.duration=\"2d\"".to_string();
    let runs = [
        ("published", vec![short.clone(), build_override(&ocean_build("0.6.9"))]),
        (
            "rebuilt",
            vec![
                short,
                format!("contracts.sources={:?}", project.display().to_string()),
                "contracts.adapter=\"ocean-0.6.9\"".to_string(),
            ],
        ),
    ];
    for (name, overrides) in &runs {
        let loaded = load(&repo("netlists/ocean_v3.toml"), overrides).unwrap_or_else(|e| panic!("{e:#}"));
        run_to_dir(&loaded, &dir.path().join(name), false).unwrap_or_else(|e| panic!("{e:#}"));
    }
    let (published, rebuilt) = (dir.path().join("published"), dir.path().join("rebuilt"));
    let compare = dir.path().join("compare");
    let output = tsp(&[
        "compare",
        published.to_str().unwrap(),
        rebuilt.to_str().unwrap(),
        "--out",
        compare.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    let row = stdout.lines().find(|l| l.contains("Simple to understand")).expect("a simplicity row");
    let cells: Vec<&str> = row.split('|').map(str::trim).skip(3).filter(|c| !c.is_empty()).collect();
    // Truffle's embedded sources and tsp build's record give the same count.
    assert_eq!(cells.len(), 2, "both builds measured: {row}");
    assert_eq!(cells[0], cells[1], "{row}");
    assert!(cells[0].starts_with("17 contracts"), "BPool, BFactory, DTFactory, ... and their bases: {row}");
}

#[test]
fn files_that_need_different_compilers_build_together() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("contracts/Old.sol"),
        "pragma solidity ^0.5.0;\ncontract Old { function answer() public pure returns (uint256) { return 5; } }\n",
    );
    write(
        &dir.path().join("contracts/New.sol"),
        "pragma solidity ^0.8.0;\ncontract New { function answer() public pure returns (uint256) { return 8; } }\n",
    );
    let said = build(dir.path(), &[]);
    assert!(
        said.contains("solc 0.5.17+commit") && said.contains("solc 0.8."),
        "one compiler per pragma: {said}"
    );
    let record = std::fs::read_to_string(dir.path().join("out/build-info/tokenspice.json")).unwrap();
    let record: serde_json::Value = serde_json::from_str(&record).unwrap();
    let compilers = record["compilers"].as_object().unwrap();
    let built_with =
        |unit: &str| compilers.iter().find(|(_, units)| units.to_string().contains(unit)).unwrap().0.clone();
    assert!(built_with("Old.sol").starts_with("0.5.17"), "the newest 0.5 release");
    assert!(built_with("New.sol").starts_with("0.8."));
}
