//! Containing panics raised inside third-party decoders.
//!
//! arrow-ipc, arrow-buffer and parquet trust some of what a file declares and panic (an index
//! out of bounds, an offset past a buffer) on a damaged file instead of returning an error. A
//! damaged input is the user's mistake, not a bug in Steward: it must end as an error naming
//! the file (exit 2), never as a crash (exit 101) with a Rust backtrace note on stderr.
//!
//! `catch_unwind` stops the unwinding, but the panic hook runs before it and would print
//! "thread ... panicked at ...". So a process-wide hook is installed once, wrapping whatever
//! hook was there before: it stays silent while the panicking thread is inside a guarded
//! region and defers to the previous hook everywhere else, so a real bug elsewhere still
//! reports as usual. (A hook installed after the first read replaces this one; the guarded
//! regions still catch the panic, they would only print it.)

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

static QUIET_HOOK: Once = Once::new();

fn install_hook() {
    QUIET_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, turning a panic inside it into `Err(reason)`: the panic's message, cut short.
pub(crate) fn contain<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_hook();
    let was = GUARDED.with(|g| g.replace(true));
    // Decoders are dropped with the error when a panic escapes them, so no state that a panic
    // may have left half-updated is used again: asserting unwind safety is sound here.
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(was));
    result.map_err(|payload| {
        let text = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "the decoder stopped".to_string());
        steward_io::clip(&text, 120).into_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_with_its_message() {
        let r: Result<(), String> = contain(|| panic!("index out of bounds: 7"));
        assert_eq!(r.unwrap_err(), "index out of bounds: 7");
        assert_eq!(contain(|| 5).unwrap(), 5);
        assert!(!GUARDED.with(Cell::get));
    }
}
