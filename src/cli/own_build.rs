//! Which copy of the project's own contracts a command runs. In the
//! project's folder — `contracts/` beside an `out/` that `tsp build` made —
//! it is that `out/`, and a stale one (sources changed since the build) is
//! refused before anything runs; elsewhere, or with `--embedded`, it is the
//! copy compiled into `tsp`.

use crate::artifacts::solc::{Overrides, Project};
use crate::artifacts::use_disk_build;
use std::path::Path;

/// Choose the own build for this process; `announce` says which on stderr.
pub(crate) fn select(embedded: bool, announce: bool) -> anyhow::Result<()> {
    let record = Path::new("out/build-info/tokenspice.json");
    if embedded || !Path::new("contracts").is_dir() || !record.is_file() {
        return Ok(());
    }
    let project = Project::open(".", &Overrides::default())?;
    let changes = project.source_changes()?;
    if !changes.is_fresh() {
        anyhow::bail!(
            "out/ is stale: the sources changed since `tsp build` made it, so this run would not use them:\n\
             {changes}run `tsp build` to recompile (or pass --embedded to run the contracts built into tsp)"
        );
    }
    use_disk_build(std::path::absolute(project.out_dir())?);
    if announce {
        eprintln!("contracts: out/ (built by `tsp build` from the sources here, up to date)");
    }
    Ok(())
}
