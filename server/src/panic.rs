//! A panic turned into a value, so a bug in the analysis of one file or in one request
//! is reported and the rest goes on (the command line checks the other files; the
//! language server answers that request with an error and keeps serving).

use std::panic::{self, AssertUnwindSafe};

/// `f`'s value, or the message of its panic.
pub fn caught<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    panic::catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message() {
        assert_eq!(caught(|| 1), Ok(1));
        assert_eq!(caught::<()>(|| panic!("static")), Err("static".into()));
        let n = 3;
        assert_eq!(caught::<()>(|| panic!("n = {n}")), Err("n = 3".into()));
        let payload = caught::<()>(|| std::panic::panic_any(7_u8));
        assert_eq!(payload, Err("unknown panic".into()));
    }
}
