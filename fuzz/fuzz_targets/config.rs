//! The configuration reader (`pgparity.toml`, read from the scratch folder); a
//! configuration it accepts then sets the rule levels and suppressions of a run of the
//! bundled example's specs and mapping, whose report goes through every renderer (where
//! suppression reasons and objects appear).

#![no_main]

use libfuzzer_sys::fuzz_target;
use pgparity::config::Config;
use pgparity_fuzz::{
    check_and_render, example_mapping, example_specs, inputs, on_worker_stack, write_scratch_file,
};

fuzz_target!(|data: &[u8]| {
    let path = write_scratch_file("pgparity.toml", data);
    on_worker_stack(|| {
        let Ok(config) = Config::load(&path) else {
            return;
        };
        let run = inputs(
            Some(example_specs()),
            None,
            Some(example_mapping()),
            None,
            &config,
        );
        check_and_render(&run, &config);
    });
});
