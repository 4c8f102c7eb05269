//! `cargo bench --bench chain`: ERC20 transfers through the chain against
//! bare revm on the same bytecode, with the ratio. Under `cargo test` it
//! runs a small smoke round instead of the full measurement.

fn main() -> anyhow::Result<()> {
    let measuring = std::env::args().any(|arg| arg == "--bench");
    let (transfers, rounds) = if measuring { (50_000, 5) } else { (1_000, 1) };
    let report = tokenspice::bench::erc20_transfers(1_000, transfers, rounds)?;
    if !measuring {
        println!("smoke round under `cargo test`: too small to measure speed (`cargo bench --bench chain` measures)");
    }
    println!("{report}");
    Ok(())
}
