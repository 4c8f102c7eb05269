//! Bad contract builds and adapters: each is a clear error when the netlist
//! is loaded (before anything runs) naming the build, the role or operation
//! and what was expected; none panics. Builds are copies of the project's
//! own out/ folder, edited in a temporary directory.

#[path = "support/fs.rs"]
mod fs;
#[path = "support/ocean_builds.rs"]
mod ocean_builds;
#[path = "support/uniswap_builds.rs"]
mod uniswap_builds;

use fs::copy_dir;

use ocean_builds::{ocean_build, repo};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use tokenspice::artifacts::Build;
use tokenspice::netlist::load;

const NETLIST: &str = r#"
[sim]
name = "t"
tick = "1h"
ticks = 3

[[agent]]
type = "consumer"
name = "c"
"#;

/// A scratch directory holding a copy of out/ (as `build/`).
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&repo("out"), &dir.path().join("build"));
        Self { dir }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// Write `netlist.toml`: [`NETLIST`], then `agents` (more `[[agent]]`
    /// tables), then `[contracts]` as `contracts`.
    fn netlist(&self, agents: &str, contracts: &str) -> PathBuf {
        let file = self.path("netlist.toml");
        std::fs::write(&file, format!("{NETLIST}\n{agents}\n[contracts]\n{contracts}\n")).unwrap();
        file
    }

    /// Load a netlist whose `[contracts]` table is `contracts`; the error text.
    fn load_error(&self, contracts: &str) -> String {
        let file = self.netlist("", contracts);
        match load(&file, &[]) {
            Ok(_) => panic!("[contracts] {contracts} loaded without an error"),
            Err(e) => format!("{e:#}"),
        }
    }
}

fn assert_mentions(error: &str, parts: &[&str]) {
    for part in parts {
        assert!(error.contains(part), "the error should mention {part:?}:\n{error}");
    }
}

#[test]
fn the_build_as_copied_loads() {
    let scratch = Scratch::new();
    let file = scratch.path("netlist.toml");
    std::fs::write(&file, format!("{NETLIST}\n[contracts]\nbuild = \"build\"\n")).unwrap();
    load(&file, &[]).unwrap();
}

#[test]
fn a_missing_role_contract_names_the_role_and_similar_contracts() {
    let scratch = Scratch::new();
    std::fs::remove_dir_all(scratch.path("build/PoolFactory.sol")).unwrap();
    let error = scratch.load_error("build = \"build\"");
    assert_mentions(
        &error,
        &["netlist.toml", "adapter own-v3", "role pool_factory = \"PoolFactory\"", "no contract named"],
    );
}

#[test]
fn a_role_mapped_to_an_interface_has_no_bytecode() {
    let scratch = Scratch::new();
    let error = scratch.load_error("build = \"build\"\nroles = { pool_factory = \"IERC20Minimal\" }");
    assert_mentions(&error, &["role pool_factory = \"IERC20Minimal\"", "no bytecode"]);
}

#[test]
fn an_artifact_with_empty_bytecode_is_refused() {
    let scratch = Scratch::new();
    let file = scratch.path("build/PoolFactory.sol/PoolFactory.json");
    let mut json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    json["bytecode"]["object"] = "0x".into();
    std::fs::write(&file, json.to_string()).unwrap();
    let error = scratch.load_error("build = \"build\"");
    assert_mentions(&error, &["PoolFactory.json", "no bytecode"]);
}

#[test]
fn an_abi_that_does_not_fit_the_adapter_names_the_expected_signature() {
    // Ocean 0.6.9's adapter on our build (roles renamed to our contracts):
    // our createToken has no metadata blob.
    let scratch = Scratch::new();
    let roles = "roles = { community_fee_collector = \"CommunityFeeCollector\", datatoken_template = \"Datatoken\", \
                 pool_template = \"WeightedPool\", datatoken_factory = \"DatatokenFactory\", pool_factory = \"PoolFactory\" }";
    let error = scratch.load_error(&format!("build = \"build\"\nadapter = \"ocean-0.6.9\"\n{roles}"));
    assert_mentions(
        &error,
        &["[[system]] step 1", "CommunityFeeCollector(address)", "takes 1 arguments, the adapter gives 2"],
    );
    // With our constructors kept (an adapter file extending own-v3), the operation's call is what does not fit.
    std::fs::write(
        scratch.path("adapter.toml"),
        "description = \"t\"\nextends = \"own-v3\"\n\n[[ops.create_asset]]\nto = \"@datatoken_factory\"\n\
         function = \"createToken(string,string,string,uint256)\"\nargs = [\"\", \"$name\", \"$symbol\", \"$cap\"]\n\
         bind = \"datatoken\"\n",
    )
    .unwrap();
    let error = scratch.load_error("build = \"build\"\nadapter = \"adapter.toml\"");
    assert_mentions(
        &error,
        &[
            "[ops.create_asset] step 1",
            "DatatokenFactory (role datatoken_factory",
            "has no function createToken(string,string,string,uint256)",
            "it has createToken(string,string,uint256)",
        ],
    );
}

/// An adapter file: own-v3 with `extra` appended.
fn adapter_error(extra: &str) -> String {
    let scratch = Scratch::new();
    std::fs::write(
        scratch.path("adapter.toml"),
        format!("description = \"t\"\nextends = \"own-v3\"\n{extra}"),
    )
    .unwrap();
    scratch.load_error("build = \"build\"\nadapter = \"adapter.toml\"")
}

#[test]
fn adapter_mistakes_are_named() {
    let cases: &[(&str, &[&str])] = &[
        (
            "[[ops.stake]]\nto = \"$pool\"\nabi = \"pool_template\"\nfunction = \"joinswapExternAmountIn(address,uint256,uint256)\"\n\
             args = [\"@ocean\", \"lots\", \"0\"]\nbind = \"shares\"\n",
            &["[ops.stake] step 1", "argument 2 (uint256 tokenAmountIn)", "\"lots\" is not a uint256"],
        ),
        (
            "[[ops.stake]]\nto = \"$pool\"\nabi = \"pool_template\"\nfunction = \"joinswapExternAmountIn(address,uint256,uint256)\"\n\
             args = [\"@ocean\", \"$amount\", \"0\"]\nbind = \"shares\"\n",
            &["[ops.stake] step 1", "$amount is not defined here"],
        ),
        (
            "[[ops.stake]]\nto = \"$pool\"\nabi = \"pool_template\"\nfunction = \"joinswapExternAmountIn(address,uint256,uint256)\"\n\
             args = [\"@ocean\", \"$ocean_in\", \"0\"]\n",
            &["[ops.stake]", "binds no $shares"],
        ),
        (
            "[[ops.stake]]\nto = \"$pool\"\nabi = \"pool_template\"\nfunction = \"joinswapExternAmountIn(address,uint256,uint256)\"\n\
             args = [\"$pool\", \"$datatoken\", \"0\"]\nbind = \"shares\"\n",
            &["[ops.stake] step 1", "argument 2", "$datatoken is a address, the function wants a uint256"],
        ),
        (
            "[[ops.stake]]\nto = \"$pool\"\nfunction = \"joinswapExternAmountIn(address,uint256,uint256)\"\nargs = []\n",
            &["[ops.stake] step 1", "abi = \"<role>\""],
        ),
        ("[[ops.fly]]\nto = \"@pool_factory\"\nfunction = \"newPool()\"\n", &["[ops.fly]", "unknown operation"]),
        (
            "[[ops.spot_price]]\nto = \"$pool\"\nabi = \"pool_template\"\nfunction = \"getSpotPriceSansFee(address,address)\"\n\
             args = [\"$token_in\", \"$token_out\"]\nbind = \"price\"\n",
            &["[ops.spot_price]", "view = true"],
        ),
        ("[roles]\npool_factory = \"NoSuchFactory\"\n", &["role pool_factory = \"NoSuchFactory\"", "no contract named"]),
        ("[[system]]\ndeploy = \"community_fee_collector\"\n", &["[[system]] step 1", "takes 1 arguments, the adapter gives 0"]),
        ("design = \"v4\"\n", &["design = V3", "drives a V4 build"]),
        ("colour = \"red\"\n", &["adapter", "unknown field `colour`"]),
    ];
    for (extra, parts) in cases {
        let error = adapter_error(extra);
        assert_mentions(&error, parts);
    }
}

#[test]
fn unknown_adapters_builds_and_files_are_named() {
    let scratch = Scratch::new();
    let error = scratch.load_error("build = \"build\"\nadapter = \"ocean-9.9\"");
    assert_mentions(&error, &["adapter \"ocean-9.9\"", "own-v3", "ocean-0.6.9", "ocean-1.1.15"]);
    let error = scratch.load_error("build = \"nowhere\"");
    assert_mentions(&error, &["build = \"nowhere\"", "cannot read"]);
    std::fs::create_dir(scratch.path("empty")).unwrap();
    let error = scratch.load_error("build = \"empty\"");
    assert_mentions(&error, &["no contract artifacts here"]);
    std::fs::write(scratch.path("not-solc.json"), "{\"abi\": []}").unwrap();
    let error = scratch.load_error("build = \"not-solc.json\"");
    assert_mentions(&error, &["solc standard-JSON output"]);
    let error = scratch.load_error("adapter = \"own-v3\"");
    assert_mentions(&error, &["apply to a build path"]);
}

#[test]
fn a_contract_name_in_two_places_asks_for_a_path() {
    let scratch = Scratch::new();
    copy_dir(&scratch.path("build/PoolFactory.sol"), &scratch.path("build/Other.sol"));
    let error = scratch.load_error("build = \"build\"");
    assert_mentions(&error, &["PoolFactory is ambiguous", "<path>:PoolFactory", "Other.sol"]);
    let file = scratch.path("netlist.toml");
    let contracts = "build = \"build\"\nroles = { pool_factory = \"PoolFactory.sol:PoolFactory\" }";
    std::fs::write(&file, format!("{NETLIST}\n[contracts]\n{contracts}\n")).unwrap();
    load(&file, &[]).unwrap_or_else(|e| panic!("a qualified name picks one: {e:#}"));
}

#[test]
fn tsp_run_with_a_missing_build_fails_cleanly() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tsp"))
        .args(["run", "netlists/simplepool.toml", "--build", "/no/such/build", "--out"])
        .arg(std::env::temp_dir().join("tsp-missing-build"))
        .current_dir(repo(""))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--build /no/such/build: no such file or folder"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// `tsp <args>` in the repository: (exit code, stderr).
fn tsp(args: &[&str]) -> (Option<i32>, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tsp"))
        .args(args)
        .current_dir(repo(""))
        .output()
        .unwrap();
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn a_failed_solc_output_says_the_compile_failed_and_shows_each_error() {
    let scratch = Scratch::new();
    let error = |message: &str, at: &str| {
        json!({ "severity": "error", "type": "ParserError", "message": message,
                "formattedMessage": format!("ParserError: {message}\n --> {at}:\n  |\n3 | }}\n  | ^\n") })
    };
    let output = json!({
        "errors": [
            error("Expected ';' but got '}'", "contracts/A.sol:3:5"),
            { "severity": "warning", "type": "Warning", "message": "unused variable",
              "formattedMessage": "Warning: unused variable\n --> contracts/A.sol:1:1:\n" },
            error("Expected pragma, import directive or contract/interface/library/struct/enum/constant/function/error definition.", "contracts/B.sol:7:1"),
        ],
        "sources": {}
    });
    std::fs::write(scratch.path("failed.json"), output.to_string()).unwrap();
    let message = scratch.load_error("build = \"failed.json\"");
    assert_mentions(
        &message,
        &["failed.json", "the compile failed", "2 errors", "contracts/A.sol:3:5", "contracts/B.sol:7:1"],
    );
    assert!(!message.contains("unused variable"), "warnings are not errors:\n{message}");
    assert!(!message.contains("must be solc standard-JSON"), "{message}");
    // The same with an empty "contracts", and when loading one artifact from it.
    let mut with_contracts = output;
    with_contracts["contracts"] = json!({});
    std::fs::write(scratch.path("failed.json"), with_contracts.to_string()).unwrap();
    let message = scratch.load_error("build = \"failed.json\"");
    assert_mentions(&message, &["the compile failed", "contracts/A.sol:3:5"]);
    let artifact = tokenspice::artifacts::Artifact::load(scratch.path("failed.json"), Some("A"));
    assert_mentions(&artifact.unwrap_err().to_string(), &["the compile failed", "contracts/B.sol:7:1"]);
}

#[test]
fn a_combined_json_file_is_read_by_contract_name() {
    // `solc --combined-json abi,bin,bin-runtime` of own-v3's contracts: the
    // ABI as an array (solc >= 0.8.10) for some, as a JSON string (older
    // solc) for others.
    let scratch = Scratch::new();
    let names = ["CommunityFeeCollector", "Datatoken", "WeightedPool", "DatatokenFactory", "PoolFactory"];
    let mut contracts = serde_json::Map::new();
    for (i, name) in names.iter().enumerate() {
        let artifact = read_json(&scratch.path(&format!("build/{name}.sol/{name}.json")));
        let abi = if i % 2 == 0 { artifact["abi"].clone() } else { artifact["abi"].to_string().into() };
        let code = |key: &str| artifact[key]["object"].as_str().unwrap().trim_start_matches("0x").to_string();
        contracts.insert(
            format!("contracts/v3/{name}.sol:{name}"),
            json!({ "abi": abi, "bin": code("bytecode"), "bin-runtime": code("deployedBytecode") }),
        );
    }
    let combined = json!({ "contracts": contracts, "version": "0.8.37+commit.e8eeffae.Linux.g++" });
    std::fs::write(scratch.path("combined.json"), combined.to_string()).unwrap();
    let build = Build::open(scratch.path("combined.json")).unwrap();
    let mut expected = names.to_vec();
    expected.sort();
    assert_eq!(build.names().collect::<Vec<_>>(), expected, "contract names, not field names");
    for name in names {
        let artifact = build.artifact(name).unwrap();
        assert_eq!(artifact.format, tokenspice::artifacts::Format::SolcCombinedJson);
        assert!(!artifact.abi.functions.is_empty(), "{name}: ABI read");
        assert!(artifact.runtime_code().unwrap().is_some_and(|c| !c.is_empty()), "{name}: bin-runtime read");
        assert_eq!(artifact.compiler_version.as_deref(), Some("0.8.37+commit.e8eeffae.Linux.g++"));
    }
    build.artifact("contracts/v3/PoolFactory.sol:PoolFactory").unwrap();
    // The whole market loads from it through own-v3.
    let file = scratch.netlist("", "build = \"combined.json\"");
    load(&file, &[]).unwrap_or_else(|e| panic!("{e:#}"));
    let missing = scratch.load_error("build = \"combined.json\"\nroles = { pool_factory = \"abi\" }");
    assert_mentions(&missing, &["no contract named \"abi\"", "PoolFactory"]);
}

#[test]
fn a_build_that_needs_an_adapter_suggests_the_built_in_one() {
    // The 0.6.9 artifacts folder without its package.json: no package to
    // pick the adapter by, so own-v3 is tried and its contract names are missing.
    let artifacts = ocean_build("0.6.9").join("artifacts");
    let (code, stderr) = tsp(&["check", "netlists/simplepool.toml", "--build", artifacts.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_mentions(
        &stderr,
        &[
            "adapter own-v3",
            "no contract named",
            "this build looks like ocean-0.6.9: add --adapter ocean-0.6.9",
        ],
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    // No suggestion when no built-in adapter fits.
    let scratch = Scratch::new();
    std::fs::remove_dir_all(scratch.path("build/PoolFactory.sol")).unwrap();
    let error = scratch.load_error("build = \"build\"");
    assert!(!error.contains("looks like"), "{error}");
}

#[test]
fn unknown_roles_name_the_key_and_list_the_known_roles() {
    let scratch = Scratch::new();
    let error = scratch.load_error("build = \"build\"\nroles = { pool = \"WeightedPool\" }");
    assert_mentions(
        &error,
        &[
            "[contracts] roles: unknown role \"pool\"",
            "adapter own-v3 has roles",
            "pool_factory",
            "pool_template",
        ],
    );
    let error = adapter_error("[roles]\npol_template = \"WeightedPool\"\n");
    assert_mentions(
        &error,
        &[
            "adapter.toml",
            "[roles] pol_template: unknown role",
            "no step deploys, calls or passes it",
            "pool_template",
        ],
    );
    let error = adapter_error("[roles]\nocean = \"OceanToken\"\n");
    assert_mentions(&error, &["[roles] ocean: unknown role", "the run's OCEAN token"]);
}

#[test]
fn a_binding_of_the_wrong_type_names_the_adapter_op_function_and_type() {
    let cases: &[(&str, &[&str])] = &[
        (
            "[[ops.stake]]\nto = \"$pool\"\nabi = \"pool_template\"\nfunction = \"getCurrentTokens()\"\nbind = \"shares\"\n",
            &["[ops.stake] step 1", "bind = \"shares\"", "getCurrentTokens()", "returns (address[])", "an amount"],
        ),
        (
            "[[ops.unstake]]\nto = \"$pool\"\nabi = \"pool_template\"\nfunction = \"exitswapPoolAmountIn(address,uint256,uint256)\"\n\
             args = [\"@ocean\", \"$shares\", \"0\"]\n\n[[ops.unstake]]\nto = \"@pool_factory\"\nfunction = \"newPool()\"\nbind = \"ocean_out\"\n",
            &["[ops.unstake] step 2", "newPool()", "returns (address)", "reads $ocean_out as an amount"],
        ),
        (
            "[[ops.spot_price]]\nto = \"$pool\"\nabi = \"pool_template\"\nfunction = \"name()\"\nview = true\nbind = \"price\"\n",
            &["[ops.spot_price] step 1", "name()", "returns (string)"],
        ),
    ];
    for (extra, parts) in cases {
        let error = adapter_error(extra);
        assert_mentions(&error, &[&["adapter", "adapter.toml"], *parts].concat());
    }
    // tsp check refuses it too.
    let scratch = Scratch::new();
    let adapter = scratch.path("adapter.toml");
    std::fs::write(&adapter, format!("description = \"t\"\nextends = \"own-v3\"\n{}", cases[0].0)).unwrap();
    let build = scratch.path("build");
    let args = ["check", "netlists/simplepool.toml", "--build", build.to_str().unwrap()];
    let (code, stderr) = tsp(&[&args[..], &["--adapter", adapter.to_str().unwrap()]].concat());
    assert_eq!(code, Some(1), "{stderr}");
    assert_mentions(&stderr, &["adapter.toml", "[ops.stake]", "getCurrentTokens()", "address[]"]);
}

const PUBLISHER: &str =
    "[[agent]]\ntype = \"publisher\"\nname = \"p\"\npublish_market_fee = 0.01\nswap_fee = 0.002\n";

#[test]
fn ignored_parameters_are_warnings_at_check_and_at_run_start() {
    // V3 (own build through own-v3) has no publish-market fee; it does use the swap fee.
    let scratch = Scratch::new();
    let file = scratch.netlist(PUBLISHER, "build = \"build\"");
    let warnings = load(&file, &[]).unwrap().warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_mentions(
        &warnings[0],
        &[
            "netlist.toml",
            "publish_market_fee of agent \"p\" is ignored",
            "adapter own-v3",
            "$publish_market_fee",
        ],
    );
    let out = scratch.path("out");
    let (code, stderr) =
        tsp(&["run", file.to_str().unwrap(), "--quiet", "--no-charts", "--out", out.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_mentions(&stderr, &["warning: ", "publish_market_fee of agent \"p\" is ignored"]);
    // Weights on V4 as published (50/50 pools), at `tsp check`.
    let build = ocean_build("1.1.15");
    let (code, stderr) = tsp(&["check", "netlists/ocean_v4.toml", "--build", build.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    for key in ["dt_weight", "ocean_weight"] {
        assert_mentions(
            &stderr,
            &[&format!("warning: netlists/ocean_v4.toml: {key} of agents"), "adapter ocean-1.1.15"],
        );
    }
    assert!(!stderr.contains("swap_fee"), "1.1.15 uses the swap fee:\n{stderr}");
}

#[test]
fn shipped_netlists_set_nothing_their_builds_ignore() {
    // netlists/uniswap_v2.toml runs on the npm builds the script installs.
    uniswap_builds::uniswap_build("v2-core");
    uniswap_builds::uniswap_build("v2-periphery");
    for entry in std::fs::read_dir(repo("netlists")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let warnings = load(&path, &[]).unwrap().warnings();
            assert!(warnings.is_empty(), "{}: {warnings:?}", path.display());
        }
    }
}
