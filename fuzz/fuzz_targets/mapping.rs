//! The mapping loader: YAML, validation against the mapping schema, and the Markdown
//! index plan the mapping names (`index_plan_markdown: ../docs/INDEX_PLAN.md` reaches the
//! bundled example's plan, copied beside it). The mapping is `mappings/mapping.yaml` in the
//! scratch folder; a loaded mapping then goes through every check with the bundled specs
//! and contracts, and every renderer.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pgparity::config::Config;
use pgparity::contracts::load_contracts;
use pgparity::input::InputLimits;
use pgparity::mapping::load_mapping;
use pgparity_fuzz::{
    check_and_render, contract_options, copy_example_folder, example_specs, inputs,
    on_worker_stack, write_scratch_file, DEFAULT_SCHEMA,
};

fuzz_target!(|data: &[u8]| {
    copy_example_folder("docs");
    copy_example_folder("contracts");
    let path = write_scratch_file("mappings/mapping.yaml", data);
    on_worker_stack(|| {
        let Ok(mapping) = load_mapping(&path, DEFAULT_SCHEMA, InputLimits::default()) else {
            return;
        };
        let contracts = load_contracts(&mapping.contracts, &contract_options()).ok();
        let config = Config::default();
        let run = inputs(
            Some(example_specs()),
            contracts.as_ref(),
            Some(&mapping),
            None,
            &config,
        );
        check_and_render(&run, &config);
    });
});
