//! `cargo bench --bench engine`: a simulated year of each Ocean design —
//! ticks/s, peak memory, and the engine against a bare-revm replay of every
//! EVM execution it made. Under `cargo test` it runs 3 days of
//! ocean_v3 as a smoke test (the replay must reproduce every outcome).

use std::path::Path;

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("netlists");
    if std::env::args().any(|arg| arg == "--bench") {
        for design in ["ocean_v3", "ocean_v4", "ocean_v41"] {
            println!("{}\n", tokenspice::bench::engine_run(&root.join(format!("{design}.toml")), &[])?);
        }
    } else {
        println!("smoke round under `cargo test`: 3 days of ocean_v3, too short to measure speed (`cargo bench --bench engine` measures)");
        let short = ["sim.duration=\"3d\"".to_string()];
        println!("{}", tokenspice::bench::engine_run(&root.join("ocean_v3.toml"), &short)?);
    }
    Ok(())
}
