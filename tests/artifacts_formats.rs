//! Loading one contract from each supported artifact layout (fixtures the
//! test writes itself from the committed OceanToken build), deploying it,
//! opening a Waffle build folder as the `@uniswap/v2-*` npm packages ship
//! it, and clear errors for every kind of malformed input.

use alloy_primitives::{Address, U256};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use tokenspice::artifacts::{Artifact, ArtifactError, Build, Format};
use tokenspice::chain::{address_for, Backend, Chain, GOD};
use tokenspice::models::ocean::contracts::OceanToken;

fn ocean_json() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/out/OceanToken.sol/OceanToken.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn write(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(value).unwrap()).unwrap();
    path
}

/// A Waffle 2.x `build/<Name>.json`: solc's per-contract output (`evm`,
/// `metadata` as a JSON string, `interface`) plus a hex-string `bytecode`.
fn waffle(abi: &Value, code: &str, runtime: &str) -> Value {
    let metadata = json!({ "compiler": { "version": "0.8.37+commit.waffle" }, "language": "Solidity" });
    json!({
        "abi": abi,
        "evm": {
            "bytecode": { "linkReferences": {}, "object": code, "opcodes": "", "sourceMap": "" },
            "deployedBytecode": { "linkReferences": {}, "object": runtime, "opcodes": "", "sourceMap": "" }
        },
        "metadata": metadata.to_string(),
        "interface": abi,
        "bytecode": code
    })
}

/// The six layouts, built from the same ABI and code.
fn fixtures(dir: &Path) -> Vec<(Format, PathBuf, Option<&'static str>)> {
    let foundry = ocean_json();
    let abi = foundry["abi"].clone();
    let code = foundry["bytecode"]["object"].clone();
    let runtime = foundry["deployedBytecode"]["object"].clone();
    let hardhat = json!({
        "_format": "hh-sol-artifact-1", "contractName": "OceanToken", "sourceName": "contracts/OceanToken.sol",
        "abi": abi, "bytecode": code, "deployedBytecode": runtime, "linkReferences": {}, "deployedLinkReferences": {}
    });
    let truffle = json!({
        "contractName": "OceanToken", "abi": abi, "bytecode": code, "deployedBytecode": runtime,
        "compiler": { "name": "solc", "version": "0.8.37" }, "networks": {}, "schemaVersion": "3.0.0"
    });
    let strip = |v: &Value| v.as_str().unwrap().trim_start_matches("0x").to_string();
    let solc = json!({
        "contracts": {
            "tokens/OceanToken.sol": { "OceanToken": { "abi": abi, "evm": {
                "bytecode": { "object": strip(&code), "linkReferences": {} },
                "deployedBytecode": { "object": strip(&runtime) } } } },
            "tokens/ERC20.sol": { "ERC20": { "abi": [], "evm": { "bytecode": { "object": "" } } } }
        },
        "sources": {}
    });
    let bare = json!({ "abi": abi, "bytecode": code });
    let waffle = waffle(&abi, &strip(&code), &strip(&runtime));
    vec![
        (Format::Foundry, write(dir, "foundry.json", &foundry), Some("OceanToken")),
        (Format::Hardhat, write(dir, "hardhat.json", &hardhat), None),
        (Format::Truffle, write(dir, "truffle.json", &truffle), None),
        (Format::SolcStandardJson, write(dir, "solc-output.json", &solc), Some("OceanToken")),
        (Format::Bare, write(dir, "OceanToken.json", &bare), None),
        (Format::Waffle, write(dir, "waffle.json", &waffle), Some("OceanToken")),
    ]
}

#[test]
fn each_of_the_six_formats_loads_and_deploys() {
    let dir = tempfile::tempdir().unwrap();
    for (format, path, name) in fixtures(dir.path()) {
        let artifact = Artifact::load(&path, name).unwrap_or_else(|e| panic!("{format:?}: {e}"));
        assert_eq!(artifact.format, format, "{}", path.display());
        assert_eq!(artifact.name, "OceanToken");
        assert_eq!(artifact.constructor_signature(), "(address)");
        assert!(artifact.abi.function("mint").is_some());

        let mut chain = Chain::new();
        let token =
            chain.deploy_contract(GOD, artifact.init_code_from_strs(&[&GOD.to_string()]).unwrap()).unwrap();
        let who = address_for("holder");
        chain.send(GOD, token, &OceanToken::mintCall { to: who, amount: U256::from(42) }).unwrap();
        let held: U256 = chain.view(token, &OceanToken::balanceOfCall(who)).unwrap();
        assert_eq!(held, U256::from(42), "{format:?}");
        match artifact.runtime_code().unwrap() {
            Some(runtime) => assert_eq!(
                chain.code(token),
                runtime,
                "{format:?}: deployed code is the artifact's runtime code"
            ),
            None => assert_eq!(format, Format::Bare, "only bare files may lack runtime code"),
        }
    }
}

#[test]
fn a_waffle_build_folder_opens_like_the_uniswap_npm_packages() {
    // The layout of @uniswap/v2-core: package.json, build/<Name>.json for
    // every contract (interfaces with empty code), build/Combined-Json.json.
    let package = tempfile::tempdir().unwrap();
    let build_dir = package.path().join("build");
    std::fs::create_dir(&build_dir).unwrap();
    let foundry = ocean_json();
    let strip = |v: &Value| v.as_str().unwrap().trim_start_matches("0x").to_string();
    let (code, runtime) =
        (strip(&foundry["bytecode"]["object"]), strip(&foundry["deployedBytecode"]["object"]));
    write(&build_dir, "OceanToken.json", &waffle(&foundry["abi"], &code, &runtime));
    write(&build_dir, "IOceanToken.json", &waffle(&foundry["abi"], "", ""));
    // An artifact whose creation code is only in `evm` (Waffle's copies of
    // Uniswap V1 in @uniswap/v2-periphery have no top-level `bytecode`).
    let mut evm_only = waffle(&foundry["abi"], &code, &runtime);
    evm_only.as_object_mut().unwrap().remove("bytecode");
    write(&build_dir, "EvmOnly.json", &evm_only);
    let combined = json!({ "contracts": { "x.sol:OceanToken": { "abi": foundry["abi"], "bin": code } } });
    write(&build_dir, "Combined-Json.json", &combined);
    write(package.path(), "package.json", &json!({ "name": "@example/waffle-build", "version": "1.0.1" }));

    let build = Build::open(package.path()).unwrap();
    assert_eq!(build.root, build_dir);
    assert_eq!(build.package.as_deref(), Some("@example/waffle-build@1.0.1"));
    assert_eq!(build.names().collect::<Vec<_>>(), ["EvmOnly", "IOceanToken", "OceanToken"]);
    for name in ["OceanToken", "EvmOnly"] {
        let artifact = build.artifact(name).unwrap();
        assert_eq!(artifact.format, Format::Waffle);
        assert_eq!(artifact.name, name);
        assert_eq!(artifact.compiler_version.as_deref(), Some("0.8.37+commit.waffle"));
        assert_eq!(artifact.constructor_signature(), "(address)");
        let runtime_code = artifact.runtime_code().unwrap().expect("Waffle artifacts hold runtime code");
        let mut chain = Chain::new();
        let token =
            chain.deploy_contract(GOD, artifact.init_code_from_strs(&[&GOD.to_string()]).unwrap()).unwrap();
        assert_eq!(chain.code(token), runtime_code, "{name}");
    }
    let interface = build.artifact("IOceanToken").unwrap_err().to_string();
    assert!(interface.contains("has no bytecode") && interface.contains("IOceanToken.json"), "{interface}");
}

fn expect_error(result: Result<Artifact, ArtifactError>, file: &Path, needle: &str) {
    let error = result.expect_err(needle).to_string();
    assert!(error.contains(&file.display().to_string()), "names the file: {error}");
    assert!(error.contains(needle), "says {needle:?}: {error}");
}

#[test]
fn malformed_inputs_give_errors_naming_file_and_problem() {
    let dir = tempfile::tempdir().unwrap();
    let good = ocean_json();
    let abi = good["abi"].clone();

    let no_code = write(dir.path(), "nocode.json", &json!({ "abi": abi }));
    expect_error(Artifact::load(&no_code, None), &no_code, "has no bytecode");

    let empty_code = write(dir.path(), "empty.json", &json!({ "abi": abi, "bytecode": "0x" }));
    expect_error(Artifact::load(&empty_code, None), &empty_code, "has no bytecode");

    let bad_hex = write(dir.path(), "badhex.json", &json!({ "abi": abi, "bytecode": "0x60zz" }));
    expect_error(Artifact::load(&bad_hex, None), &bad_hex, "is not hex");

    let odd_hex = write(dir.path(), "odd.json", &json!({ "abi": abi, "bytecode": "0x600" }));
    expect_error(Artifact::load(&odd_hex, None), &odd_hex, "odd number of hex digits");

    let not_json = dir.path().join("broken.json");
    std::fs::write(&not_json, "{ \"abi\": [").unwrap();
    expect_error(Artifact::load(&not_json, None), &not_json, "not valid JSON");

    let missing = dir.path().join("missing.json");
    expect_error(Artifact::load(&missing, None), &missing, "cannot read");

    let no_abi = write(dir.path(), "noabi.json", &json!({ "bytecode": "0x6000" }));
    expect_error(Artifact::load(&no_abi, None), &no_abi, "no \"abi\" key");

    let bad_abi = write(dir.path(), "badabi.json", &json!({ "abi": 7, "bytecode": "0x6000" }));
    expect_error(Artifact::load(&bad_abi, None), &bad_abi, "not a valid ABI");

    let fixtures = fixtures(dir.path());
    let solc_output = &fixtures[3].1;
    expect_error(Artifact::load(solc_output, Some("Nope")), solc_output, "no contract named \"Nope\"");
    expect_error(Artifact::load(solc_output, None), solc_output, "tokens/OceanToken.sol:OceanToken");
    let hardhat = &fixtures[1].1;
    expect_error(Artifact::load(hardhat, Some("Other")), hardhat, "no contract named \"Other\"");
    let missing_dir_entry = Artifact::from_foundry_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/out"), "Nope");
    assert!(missing_dir_entry.unwrap_err().to_string().contains("Nope"));

    let artifact = Artifact::load(&fixtures[0].1, None).unwrap();
    let wrong_count = artifact.init_code_from_strs(&[]).unwrap_err().to_string();
    assert!(
        wrong_count.contains("expected 1 arguments, got 0") && wrong_count.contains("foundry.json"),
        "{wrong_count}"
    );
    let wrong_type = artifact.init_code_from_strs(&["not-an-address"]).unwrap_err().to_string();
    assert!(
        wrong_type.contains("cannot read \"not-an-address\"") && wrong_type.contains("(address)"),
        "{wrong_type}"
    );
}

#[test]
fn unlinked_libraries_are_named_and_linking_makes_code_deployable() {
    let dir = tempfile::tempdir().unwrap();
    let good = ocean_json();
    let code = good["bytecode"]["object"].as_str().unwrap().trim_start_matches("0x");
    // Put a solc ≥ 0.5 placeholder for `math/Fixed.sol:Fixed` into a PUSH20 of the code's tail.
    let fq = "math/Fixed.sol:Fixed";
    let placeholder =
        format!("__${}$__", alloy_primitives::hex::encode(&alloy_primitives::keccak256(fq)[..17]));
    let with_placeholder = format!("{code}73{placeholder}50");
    let file = write(
        dir.path(),
        "linked.json",
        &json!({
            "abi": good["abi"],
            "bytecode": { "object": format!("0x{with_placeholder}"),
                          "linkReferences": { "math/Fixed.sol": { "Fixed": [{ "start": code.len() / 2 + 1, "length": 20 }] } } }
        }),
    );
    let mut artifact = Artifact::load(&file, None).unwrap();
    assert_eq!(artifact.unlinked_libraries(), vec![fq.to_string()]);
    let error = artifact.creation_code().unwrap_err().to_string();
    assert!(
        error.contains("needs libraries linked first: math/Fixed.sol:Fixed") && error.contains("linked.json"),
        "{error}"
    );

    let library = Address::repeat_byte(0x11);
    artifact.link(&[("Fixed".to_string(), library)].into_iter().collect());
    assert!(artifact.unlinked_libraries().is_empty());
    let linked = artifact.creation_code().unwrap();
    assert!(alloy_primitives::hex::encode(&linked).contains(&alloy_primitives::hex::encode(library)));
}
