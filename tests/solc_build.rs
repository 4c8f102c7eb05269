//! `tsp build`: the committed `out/` matches a fresh compile, an edited
//! source makes it stale (named by contract) until rebuilt, and compiler
//! errors point at file:line. Needs Node.js; installs solc-js itself.

use std::path::{Path, PathBuf};
use std::process::Command;
use tokenspice::artifacts::solc::{BuildError, Overrides, Project, SolcJs};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tsp(args: &[&str], root: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tsp")).args(args).arg("--root").arg(root).output().unwrap()
}

/// A scratch project holding a copy of `contracts/tokens/` and the pinned
/// compiler (node_modules linked from the repository, installed if needed).
fn scratch_project() -> (tempfile::TempDir, Project) {
    SolcJs::pinned_in(&repo()).expect("solc-js installs").expect("tools/solc pins solc");
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("contracts/tokens");
    std::fs::create_dir_all(&tokens).unwrap();
    for file in ["ERC20.sol", "OceanToken.sol"] {
        std::fs::copy(repo().join("contracts/tokens").join(file), tokens.join(file)).unwrap();
    }
    let solc = dir.path().join("tools/solc");
    std::fs::create_dir_all(&solc).unwrap();
    for file in ["package.json", "package-lock.json"] {
        std::fs::copy(repo().join("tools/solc").join(file), solc.join(file)).unwrap();
    }
    std::os::unix::fs::symlink(repo().join("tools/solc/node_modules"), solc.join("node_modules")).unwrap();
    let project = Project::open(dir.path(), &Overrides::default()).unwrap();
    (dir, project)
}

#[test]
fn committed_out_is_fresh() {
    let output = tsp(&["build", "--check"], &repo());
    assert!(
        output.status.success(),
        "tsp build --check failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn editing_a_source_makes_out_stale_until_rebuilt() {
    let (dir, project) = scratch_project();
    let built = tsp(&["build"], dir.path());
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let artifact = dir.path().join("out/OceanToken.sol/OceanToken.json");
    let text = std::fs::read_to_string(&artifact).unwrap();
    for key in ["\"abi\"", "\"bytecode\"", "\"deployedBytecode\"", "\"version\": \"0.8.37"] {
        assert!(text.contains(key), "artifact has {key}");
    }
    assert!(project.check().unwrap().is_fresh());

    let source = dir.path().join("contracts/tokens/OceanToken.sol");
    let edited = std::fs::read_to_string(&source).unwrap().replace("\"Ocean Token\"", "\"Ocean Token v2\"");
    std::fs::write(&source, edited).unwrap();
    let stale = tsp(&["build", "--check"], dir.path());
    assert!(!stale.status.success(), "--check fails after an edit");
    let message = String::from_utf8_lossy(&stale.stderr);
    assert!(message.contains("OceanToken (changed)"), "names the contract: {message}");
    assert!(!message.contains("ERC20 (changed)"), "only the edited contract: {message}");

    assert!(tsp(&["build"], dir.path()).status.success());
    assert_ne!(std::fs::read_to_string(&artifact).unwrap(), text, "out/ was updated");
    let fresh = tsp(&["build", "--check"], dir.path());
    assert!(fresh.status.success(), "{}", String::from_utf8_lossy(&fresh.stderr));
}

#[test]
fn compiler_errors_name_file_and_line_and_leave_out_alone() {
    let (dir, project) = scratch_project();
    project.build().unwrap();
    let before = std::fs::read_to_string(dir.path().join("out/OceanToken.sol/OceanToken.json")).unwrap();
    let source = dir.path().join("contracts/tokens/OceanToken.sol");
    let broken = std::fs::read_to_string(&source)
        .unwrap()
        .replace("minter = initialMinter;", "minter = initialMinter");
    std::fs::write(&source, broken).unwrap();
    match project.build() {
        Err(BuildError::Compile { count, messages }) => {
            assert!(count >= 1);
            assert!(messages.contains("tokens/OceanToken.sol:"), "file:line in {messages}");
        }
        other => panic!("expected a compile error, got {other:?}"),
    }
    let after = std::fs::read_to_string(dir.path().join("out/OceanToken.sol/OceanToken.json")).unwrap();
    assert_eq!(before, after, "a failed build leaves out/ as it was");
}
