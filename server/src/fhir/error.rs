//! What can go wrong talking to the FHIR server (never with a token,
//! key or patient detail in its words).

#[derive(Debug, thiserror::Error)]
pub enum FhirError {
    #[error("cannot reach the FHIR server: {0}")]
    Unreachable(String),
    #[error("the FHIR server answered {status} to {what}")]
    Status { status: u16, what: String },
    #[error("the FHIR server's answer to {what} is not usable: {why}")]
    Answer { what: String, why: String },
    #[error("the FHIR server linked a page on another server ({0}); not followed")]
    ForeignLink(String),
    #[error("{0}")]
    Setup(String),
}
