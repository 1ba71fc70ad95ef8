//! The spec loader on one file, then every check (the specs are the run's only input) and
//! every renderer.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pgparity::config::Config;
use pgparity::sources::spec::load_spec_text;
use pgparity_fuzz::{check_and_render, input_text, inputs, on_worker_stack, DEFAULT_SCHEMA};

const SHOWN_PATH: &str = "specs/fuzz.sql";

fuzz_target!(|data: &[u8]| {
    let Some(text) = input_text(data, SHOWN_PATH, "spec") else {
        return;
    };
    on_worker_stack(|| {
        let specs = load_spec_text(SHOWN_PATH, &text, DEFAULT_SCHEMA);
        let config = Config::default();
        check_and_render(&inputs(Some(&specs), None, None, None, &config), &config);
    });
});
