//! `cargo bench --bench pool`: gas of the V3 pool's setup, swaps, joins,
//! exits and startOrder, and swaps per second. Under `cargo test` it runs a
//! small smoke round.

fn main() -> anyhow::Result<()> {
    let measuring = std::env::args().any(|arg| arg == "--bench");
    let report = tokenspice::models::ocean::bench::pool_gas(if measuring { 20_000 } else { 200 })?;
    if !measuring {
        println!("smoke round under `cargo test`: too small to measure speed (`cargo bench --bench pool` measures)");
    }
    println!("{report}");
    Ok(())
}
