//! SIGINT and SIGTERM for long commands: the first sets a stop flag that
//! runs and studies check at a clean boundary (a row, a finished run), and
//! is remembered so the command exits 130 or 143 as a shell expects; a
//! second signal exits at once.

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Once, OnceLock};

static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
static RECEIVED: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(signal: libc::c_int) {
    // Only async-signal-safe work here: atomics and _exit.
    if RECEIVED.swap(signal, Ordering::SeqCst) != 0 {
        // SAFETY: `_exit` is async-signal-safe and ends the process at once.
        unsafe { libc::_exit(128 + signal) };
    }
    if let Some(flag) = FLAG.get() {
        flag.store(true, Ordering::SeqCst);
    }
}

/// The flag a first SIGINT or SIGTERM sets (the handlers are installed on
/// the first call).
pub(crate) fn stop_flag() -> Arc<AtomicBool> {
    static INSTALL: Once = Once::new();
    let flag = FLAG.get_or_init(|| Arc::new(AtomicBool::new(false))).clone();
    INSTALL.call_once(|| {
        for signal in [libc::SIGINT, libc::SIGTERM] {
            // SAFETY: installs a handler that only touches atomics and calls `_exit`.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as *const () as libc::sighandler_t;
                libc::sigemptyset(&mut action.sa_mask);
                action.sa_flags = libc::SA_RESTART;
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        }
    });
    flag
}

/// The exit status after an interruption: 128 + the signal (130 for
/// SIGINT, 143 for SIGTERM; 130 when the flag was set some other way).
pub(crate) fn interrupted_status() -> ExitCode {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => ExitCode::from(130),
        signal => ExitCode::from(u8::try_from(128 + signal).unwrap_or(130)),
    }
}
