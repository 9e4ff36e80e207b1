//! Validating SARIF output against the official schema, for the CLI tests of every command
//! (`#[path = "support/sarif.rs"] mod sarif;`).

use std::path::Path;

use serde_json::Value;

/// The SARIF 2.1.0 schema (the OASIS `sarif-schema-2.1.0.json`, see the fixture's
/// README), compiled.
pub fn sarif_schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sarif/sarif-schema-2.1.0.json"),
    )
    .expect("the SARIF schema fixture");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

/// Fails with every schema error when `log` is not valid SARIF 2.1.0.
pub fn assert_valid_sarif(validator: &jsonschema::Validator, log: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "invalid SARIF:\n{}\n{log:#}",
        errors.join("\n")
    );
}
