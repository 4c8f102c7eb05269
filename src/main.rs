//! `tsp`: the tokenspice command line.

use clap::Parser;

fn main() -> std::process::ExitCode {
    // Like other command-line tools, end quietly when the reader of our
    // output goes away (`tsp netlists | head`): Rust ignores SIGPIPE, and a
    // write to a closed pipe would then panic. Results are written to files
    // before anything is printed, so nothing is lost.
    // SAFETY: called first in main, before any thread is started; SIG_DFL
    // is a valid disposition for SIGPIPE.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    tokenspice::cli::Cli::parse().run()
}
