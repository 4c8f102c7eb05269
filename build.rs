//! Embeds the project's compiled contracts: every deployable artifact under
//! `out/` (Foundry layout, `out/<File>.sol/<Name>.json`, committed) becomes an
//! entry of `OWN_CONTRACTS` in `$OUT_DIR/own_contracts.rs`, so a run needs
//! neither Node nor a compiler, and a contract added to `contracts/` is
//! embedded after `tsp build` without editing Rust.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let out = Path::new(&root).join("out");
    println!("cargo:rerun-if-changed=out");
    let mut entries = Vec::new();
    let mut folders: Vec<_> = std::fs::read_dir(&out)
        .map(|dir| dir.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    folders.sort();
    for folder in folders.iter().filter(|p| p.is_dir()) {
        println!("cargo:rerun-if-changed={}", folder.display());
        let mut files: Vec<_> = std::fs::read_dir(folder)
            .expect("readable out/ folder")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        for file in files.iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
            let text = std::fs::read_to_string(file).expect("readable artifact");
            let json: serde_json::Value = serde_json::from_str(&text).expect("artifact JSON");
            let code = json.pointer("/bytecode/object").and_then(|v| v.as_str()).unwrap_or("");
            if code.trim_start_matches("0x").is_empty() {
                continue; // interfaces and abstract contracts cannot be deployed
            }
            let name = file.file_stem().and_then(|s| s.to_str()).expect("UTF-8 artifact name");
            let relative = file.strip_prefix(&root).expect("under the manifest dir");
            entries.push((name.to_string(), relative.display().to_string(), file.display().to_string()));
        }
    }
    let mut code = String::from(
        "/// `(contract name, artifact path, artifact JSON)` of every deployable contract in `out/`.\n\
         pub const OWN_CONTRACTS: &[(&str, &str, &str)] = &[\n",
    );
    for (name, relative, absolute) in &entries {
        let _ = writeln!(code, "    ({name:?}, {relative:?}, include_str!({absolute:?})),");
    }
    code.push_str("];\n");
    let target = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("own_contracts.rs");
    std::fs::write(target, code).expect("writable OUT_DIR");
}
