//! `tsp netlists`: list the netlists in `netlists/` with their descriptions.

use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

/// List `netlists/*.toml`, each with the first comment line of the file.
#[derive(Debug, clap::Args)]
pub(crate) struct Cmd {
    /// Directory holding the netlists.
    #[arg(long, default_value = "netlists")]
    dir: PathBuf,
}

impl Cmd {
    /// Print the list.
    pub(crate) fn run(self) -> anyhow::Result<ExitCode> {
        let mut files: Vec<PathBuf> = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|ext| ext == "toml"))
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                anyhow::bail!("--dir {}: no such folder", self.dir.display())
            }
            Err(e) => return Err(e).with_context(|| format!("reading {}", self.dir.display())),
        };
        files.sort();
        if files.is_empty() {
            println!("no netlists yet in {}/", self.dir.display());
        }
        for file in files {
            let text = crate::netlist::read_netlist_text(&file)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let description = text.lines().find_map(|l| l.strip_prefix('#')).unwrap_or("").trim().to_string();
            println!("{:<28} {description}", file.display());
        }
        Ok(ExitCode::SUCCESS)
    }
}
