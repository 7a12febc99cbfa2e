//! What the bridge needs from a FHIR server, checked against its
//! CapabilityStatement (`GET /metadata`) before the server starts.

use serde_json::Value;

/// What the FHIR server offers beyond what the bridge needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// `_include=Appointment:practitioner` (else the clinician is the
    /// participant's display name only).
    pub include_practitioner: bool,
    /// Transaction Bundles.
    pub transactions: bool,
}

/// The capabilities, or everything that is missing (each a sentence for the
/// start-up message).
pub fn check(statement: &Value) -> Result<Capabilities, Vec<String>> {
    let mut missing = Vec::new();
    if statement.get("resourceType").and_then(Value::as_str) != Some("CapabilityStatement") {
        return Err(vec!["a CapabilityStatement at /metadata".into()]);
    }
    let version = statement
        .get("fhirVersion")
        .and_then(Value::as_str)
        .unwrap_or("none");
    if !version.starts_with("4.0.") {
        missing.push(format!("FHIR version 4.0 (R4): the server says {version}"));
    }
    let rest = statement
        .get("rest")
        .and_then(Value::as_array)
        .and_then(|r| {
            r.iter()
                .find(|r| r.get("mode").and_then(Value::as_str) == Some("server"))
        });
    let resource = |kind: &str| {
        rest.and_then(|r| r.get("resource"))
            .and_then(Value::as_array)
            .and_then(|all| {
                all.iter()
                    .find(|r| r.get("type").and_then(Value::as_str) == Some(kind))
            })
    };
    let appointment = resource("Appointment");
    let includes = names(appointment, "searchInclude", None);
    let flag =
        |r: Option<&Value>, name: &str| r.and_then(|r| r.get(name)) == Some(&Value::Bool(true));

    if appointment.is_none() {
        missing.push("the Appointment resource".into());
    } else {
        if !names(appointment, "searchParam", Some("name")).contains(&"date") {
            missing.push("searching Appointment by date".into());
        }
        if !includes
            .iter()
            .any(|i| *i == "Appointment:patient" || *i == "*")
        {
            missing.push("_include=Appointment:patient".into());
        }
        let versioning = appointment
            .and_then(|r| r.get("versioning"))
            .and_then(Value::as_str);
        if versioning != Some("versioned-update") {
            missing.push("If-Match on Appointment updates (versioning: versioned-update)".into());
        }
        if !names(appointment, "interaction", Some("code")).contains(&"update") {
            missing.push("updating an Appointment".into());
        }
    }
    if resource("Patient").is_none() {
        missing.push("the Patient resource".into());
    }
    let encounter = resource("Encounter");
    if !flag(encounter, "conditionalCreate") {
        missing.push("conditional create of Encounter (If-None-Exist)".into());
    }
    let response = resource("QuestionnaireResponse");
    if !flag(response, "conditionalCreate") {
        missing.push("conditional create of QuestionnaireResponse (If-None-Exist)".into());
    }
    if !missing.is_empty() {
        return Err(missing);
    }
    Ok(Capabilities {
        include_practitioner: includes
            .iter()
            .any(|i| *i == "Appointment:practitioner" || *i == "*"),
        transactions: names(rest, "interaction", Some("code")).contains(&"transaction"),
    })
}

/// The texts listed under `list` of `statement` (each the item itself, or
/// its `key`).
fn names<'a>(statement: Option<&'a Value>, list: &str, key: Option<&str>) -> Vec<&'a str> {
    statement
        .and_then(|r| r.get(list))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|item| match key {
            Some(key) => item.get(key).and_then(Value::as_str),
            None => item.as_str(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn full() -> Value {
        let writable = |kind: &str| {
            json!({"type": kind, "versioning": "versioned-update", "conditionalCreate": true,
                "interaction": [{"code": "read"}, {"code": "update"}, {"code": "create"}]})
        };
        let mut appointment = writable("Appointment");
        appointment["searchParam"] = json!([{"name": "date", "type": "date"}]);
        appointment["searchInclude"] = json!(["Appointment:patient", "Appointment:practitioner"]);
        json!({
            "resourceType": "CapabilityStatement",
            "fhirVersion": "4.0.1",
            "rest": [{"mode": "server", "interaction": [{"code": "transaction"}],
                "resource": [appointment, writable("Patient"), writable("Encounter"), writable("QuestionnaireResponse")]}],
        })
    }

    #[test]
    fn a_server_with_everything_passes_and_says_what_more_it_offers() {
        assert_eq!(
            check(&full()),
            Ok(Capabilities {
                include_practitioner: true,
                transactions: true
            })
        );
        let mut plain = full();
        plain["rest"][0]["interaction"] = json!([]);
        plain["rest"][0]["resource"][0]["searchInclude"] = json!(["Appointment:patient"]);
        assert_eq!(
            check(&plain),
            Ok(Capabilities {
                include_practitioner: false,
                transactions: false
            })
        );
    }

    #[test]
    fn each_missing_need_is_named() {
        let mut s = full();
        s["fhirVersion"] = json!("5.0.0");
        s["rest"][0]["resource"][0]["searchParam"] = json!([{"name": "status"}]);
        s["rest"][0]["resource"][0]["searchInclude"] = json!([]);
        s["rest"][0]["resource"][0]["versioning"] = json!("no-version");
        s["rest"][0]["resource"][2]["conditionalCreate"] = json!(false);
        let missing = check(&s).unwrap_err();
        assert_eq!(
            missing,
            [
                "FHIR version 4.0 (R4): the server says 5.0.0",
                "searching Appointment by date",
                "_include=Appointment:patient",
                "If-Match on Appointment updates (versioning: versioned-update)",
                "conditional create of Encounter (If-None-Exist)",
            ]
        );
        assert_eq!(
            check(&json!({"resourceType": "OperationOutcome"})).unwrap_err(),
            ["a CapabilityStatement at /metadata"]
        );
        let empty = check(&json!({"resourceType": "CapabilityStatement"})).unwrap_err();
        assert_eq!(empty.len(), 5, "{empty:?}");
    }
}
