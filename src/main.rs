//! `tsp`: the tokenspice command line.

use clap::Parser;

fn main() -> std::process::ExitCode {
    tokenspice::cli::Cli::parse().run()
}
