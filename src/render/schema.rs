//! The published JSON Schema of every report: derived (schemars) from the
//! same types the JSON renderer serializes, with the envelope's `schema` and
//! `report` fields added, so the schema cannot drift from the output.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};
use serde_json::{Map, Value, json};

use super::{Report, SCHEMA_VERSION};
use crate::report::budget::BudgetReport;
use crate::report::compare::CompareReport;
use crate::report::diff::DiffReport;
use crate::report::estimate::EstimateReport;
use crate::report::plan::PlanReport;
use crate::report::quote::QuoteReport;
use crate::report::rates::{CheckReport, ModelReport, RatesReport};
use crate::report::reconcile::ReconcileReport;
use crate::report::tally::TallyReport;

/// Every report's name (`"report"` in its JSON), in the README's order.
pub const REPORTS: [&str; 11] = [
    QuoteReport::KIND,
    CompareReport::KIND,
    RatesReport::KIND,
    ModelReport::KIND,
    CheckReport::KIND,
    PlanReport::KIND,
    BudgetReport::KIND,
    DiffReport::KIND,
    EstimateReport::KIND,
    TallyReport::KIND,
    ReconcileReport::KIND,
];

/// The schema of the report named `kind`, or `None` for a name that is no
/// report's.
pub fn of(kind: &str) -> Option<Schema> {
    Some(match kind {
        QuoteReport::KIND => enveloped::<QuoteReport>(),
        CompareReport::KIND => enveloped::<CompareReport>(),
        RatesReport::KIND => enveloped::<RatesReport>(),
        ModelReport::KIND => enveloped::<ModelReport>(),
        CheckReport::KIND => enveloped::<CheckReport>(),
        PlanReport::KIND => enveloped::<PlanReport>(),
        BudgetReport::KIND => enveloped::<BudgetReport>(),
        DiffReport::KIND => enveloped::<DiffReport>(),
        EstimateReport::KIND => enveloped::<EstimateReport>(),
        TallyReport::KIND => enveloped::<TallyReport>(),
        ReconcileReport::KIND => enveloped::<ReconcileReport>(),
        _ => return None,
    })
}

/// Every report's schema in one document, keyed by report name.
pub fn all() -> Value {
    let schemas: Map<String, Value> =
        REPORTS.iter().filter_map(|kind| Some((kind.to_string(), of(kind)?.to_value()))).collect();
    Value::Object(schemas)
}

/// The schema of `R` as the JSON renderer writes it: the report's own fields
/// after `schema` (this layout's version) and `report` (its name).
fn enveloped<R: Report + JsonSchema>() -> Schema {
    let mut schema =
        SchemaSettings::draft2020_12().for_serialize().into_generator().into_root_schema_for::<R>();
    let envelope = [
        (
            "schema",
            json!({
                "description": "The layout's version: it changes only when a field changes meaning or goes away; new fields may appear without a change",
                "type": "integer",
                "const": SCHEMA_VERSION,
            }),
        ),
        ("report", json!({ "description": "The report's name", "type": "string", "const": R::KIND })),
    ];
    let object = schema.ensure_object();
    object.insert("title".into(), json!(format!("nbcost {} report", R::KIND)));
    let mut properties = Map::new();
    for (name, field) in &envelope {
        properties.insert(name.to_string(), field.clone());
    }
    if let Some(Value::Object(fields)) = object.remove("properties") {
        properties.extend(fields);
    }
    object.insert("properties".into(), Value::Object(properties));
    let mut required: Vec<Value> = envelope.iter().map(|(name, _)| json!(name)).collect();
    if let Some(Value::Array(fields)) = object.remove("required") {
        required.extend(fields);
    }
    object.insert("required".into(), Value::Array(required));
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_report_has_a_schema_that_names_it() {
        for kind in REPORTS {
            let schema = of(kind).unwrap().to_value();
            assert_eq!(schema["properties"]["report"]["const"], json!(kind), "{kind}");
            assert_eq!(schema["properties"]["schema"]["const"], json!(SCHEMA_VERSION), "{kind}");
            // Every report names its card; `diff` names both of its cards.
            let cards: &[&str] = if kind == "diff" { &["old", "new"] } else { &["card"] };
            for card in cards {
                assert!(schema["required"].as_array().unwrap().contains(&json!(card)), "{kind}: {card}");
            }
        }
        assert!(of("quotes").is_none());
        assert_eq!(all().as_object().unwrap().len(), REPORTS.len());
    }

    #[test]
    fn money_is_a_decimal_string_and_dates_are_dates() {
        let schema = of("quote").unwrap().to_value();
        let defs = &schema["$defs"];
        assert_eq!(defs["Money"]["type"], "string");
        assert_eq!(defs["Money"]["pattern"], "^-?[0-9]+\\.[0-9]+$");
        assert_eq!(defs["Date"], json!({ "type": "string", "format": "date" }));
    }
}
