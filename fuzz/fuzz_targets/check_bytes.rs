//! Arbitrary bytes as a project's files (split at `# --- path` lines, as the rule
//! fixtures are), indexed with the fixture models, every file checked with every rule,
//! then fixed.

#![no_main]

use libfuzzer_sys::fuzz_target;
use ormhint_fuzz::{check_and_fix, index_with, is_test_panic, on_production_stack, project_files};

fuzz_target!(|data: &[u8]| {
    // The command line skips a file that is not UTF-8; the language server only gets
    // strings. What is left to test of other bytes is how they decode.
    let text = String::from_utf8_lossy(data);
    if is_test_panic(&text) {
        return;
    }
    on_production_stack(|| {
        let files = project_files(&text);
        let index = index_with(&files);
        for file in &files {
            check_and_fix(file, &index);
        }
    });
});
