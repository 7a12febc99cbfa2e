//! The exit survey as FHIR: the Questionnaire Waitwell ships
//! (`server/fhir/exit-survey.questionnaire.json`, made from the kiosk's own
//! words in every language) and each response as a QuestionnaireResponse.
//!
//! The patient's first name (given only so staff can find them) stays in
//! Waitwell: the response sent carries the answers alone.

use crate::store::surveys::ResponseRow;
use serde_json::{json, Value};
use waitwell_core::contract::Theme;

/// The Questionnaire's canonical URL and version.
pub const URL: &str = "https://waitwell.example/fhir/Questionnaire/exit-survey";
pub const VERSION: &str = "1";
/// The identifier system of the responses (the kiosk's UUID for each).
pub const RESPONSE_SYSTEM: &str = "urn:waitwell:survey";
const RATING_SYSTEM: &str = "urn:waitwell:survey-rating";
const THEME_SYSTEM: &str = "urn:waitwell:survey-theme";
const TRANSLATION: &str = "http://hl7.org/fhir/StructureDefinition/translation";

/// The kiosk's languages and their words (the app's own locale files).
const LOCALES: [(&str, &str); 3] = [
    ("en", include_str!("../../../locales/en.json")),
    ("es", include_str!("../../../locales/es.json")),
    ("ar", include_str!("../../../locales/ar.json")),
];

const RATINGS: [(u8, &str); 4] = [
    (1, "very_unhappy"),
    (2, "unhappy"),
    (3, "happy"),
    (4, "very_happy"),
];

const THEMES: [(Theme, &str); 6] = [
    (Theme::WaitingTime, "theme_waiting"),
    (Theme::KeptInformed, "theme_informed"),
    (Theme::StaffKindness, "theme_kindness"),
    (Theme::ExplanationOfCare, "theme_explanation"),
    (Theme::Cleanliness, "theme_cleanliness"),
    (Theme::EaseOfCheckIn, "theme_check_in"),
];

/// `survey.{key}` in every language: the English text, and the others as
/// FHIR translations.
fn words(key: &str) -> (String, Value) {
    let mut english = String::new();
    let mut translations = Vec::new();
    for (language, file) in LOCALES {
        let locale: Value = serde_json::from_str(file).unwrap_or(Value::Null);
        let text = locale["survey"][key]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if language == "en" {
            english = text;
        } else {
            translations.push(json!({"url": TRANSLATION, "extension": [
                {"url": "lang", "valueCode": language},
                {"url": "content", "valueString": text},
            ]}));
        }
    }
    (english, json!({ "extension": translations }))
}

fn item(link_id: &str, kind: &str, key: &str) -> Value {
    let (text, translated) = words(key);
    json!({"linkId": link_id, "type": kind, "text": text, "_text": translated})
}

fn options(system: &str, codes: impl IntoIterator<Item = (String, &'static str)>) -> Value {
    codes
        .into_iter()
        .map(|(code, key)| {
            let (display, translated) = words(key);
            json!({"valueCoding": {"system": system, "code": code, "display": display, "_display": translated}})
        })
        .collect()
}

/// The Questionnaire: one item per question of the exit survey.
pub fn exit_survey() -> Value {
    let (title, translated_title) = words("title");
    let mut rating = item("rating", "choice", "title");
    rating["required"] = json!(true);
    rating["answerOption"] = options(
        RATING_SYSTEM,
        RATINGS.iter().map(|(n, key)| (n.to_string(), *key)),
    );
    let mut recommend = item("recommend", "integer", "recommend_title");
    recommend["extension"] = json!([
        {"url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": 0},
        {"url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueInteger": 10},
    ]);
    let themes = || {
        options(
            THEME_SYSTEM,
            THEMES.iter().map(|(t, key)| (t.as_str().to_owned(), *key)),
        )
    };
    let mut better = item("better", "choice", "better_title");
    better["repeats"] = json!(true);
    better["answerOption"] = themes();
    let mut went_well = item("went_well", "choice", "went_well_title");
    went_well["repeats"] = json!(true);
    went_well["answerOption"] = themes();
    json!({
        "resourceType": "Questionnaire",
        "url": URL,
        "version": VERSION,
        "name": "WaitwellExitSurvey",
        "title": title,
        "_title": translated_title,
        "status": "active",
        "subjectType": ["Patient"],
        "item": [
            rating,
            recommend,
            better,
            went_well,
            item("comment", "text", "comment_title"),
            item("thanks", "string", "thanks_title"),
            item("talk_to_someone", "boolean", "talk_title"),
        ],
    })
}

/// One response as a QuestionnaireResponse of [`exit_survey`] (unanswered
/// questions are left out).
pub fn response(id: &str, row: &ResponseRow, updated_at: i64) -> Value {
    let mut items = Vec::new();
    let mut answer = |link_id: &str, answers: Vec<Value>| {
        if !answers.is_empty() {
            items.push(json!({"linkId": link_id, "answer": answers}));
        }
    };
    let rating = RATINGS.iter().find(|(n, _)| i64::from(*n) == row.rating);
    answer(
        "rating",
        rating
            .map(|(n, key)| {
                json!({"valueCoding": {"system": RATING_SYSTEM, "code": n.to_string(), "display": words(key).0}})
            })
            .into_iter()
            .collect(),
    );
    answer(
        "recommend",
        row.recommend
            .map(|n| json!({ "valueInteger": n }))
            .into_iter()
            .collect(),
    );
    let coded = |themes: Vec<Theme>| -> Vec<Value> {
        themes
            .into_iter()
            .filter_map(|t| THEMES.iter().find(|(known, _)| *known == t))
            .map(|(t, key)| {
                json!({"valueCoding": {"system": THEME_SYSTEM, "code": t.as_str(), "display": words(key).0}})
            })
            .collect()
    };
    answer("better", coded(row.better()));
    answer("went_well", coded(row.went_well()));
    let text = |value: &Option<String>| -> Vec<Value> {
        value.iter().map(|v| json!({ "valueString": v })).collect()
    };
    answer("comment", text(&row.comment));
    answer("thanks", text(&row.thanks));
    answer(
        "talk_to_someone",
        vec![json!({ "valueBoolean": row.talk_to_someone })],
    );
    json!({
        "resourceType": "QuestionnaireResponse",
        "identifier": {"system": RESPONSE_SYSTEM, "value": id},
        "questionnaire": format!("{URL}|{VERSION}"),
        "status": "completed",
        "authored": crate::clock::rfc3339(updated_at),
        "item": items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fhir/exit-survey.questionnaire.json"
    );

    /// The file a clinic can load into its EHR is the one the bridge uses
    /// (`WAITWELL_UPDATE_FHIR=1` writes it).
    #[test]
    fn the_shipped_questionnaire_is_current() {
        let made = serde_json::to_string_pretty(&exit_survey()).unwrap() + "\n";
        if std::env::var_os("WAITWELL_UPDATE_FHIR").is_some() {
            std::fs::create_dir_all(std::path::Path::new(SHIPPED).parent().unwrap()).unwrap();
            std::fs::write(SHIPPED, &made).unwrap();
        }
        let shipped = std::fs::read_to_string(SHIPPED).unwrap_or_default();
        assert!(
            shipped == made,
            "{SHIPPED} is out of date: run WAITWELL_UPDATE_FHIR=1 cargo test -p waitwell-server questionnaire"
        );
    }

    #[test]
    fn every_question_has_its_words_in_every_language() {
        let q = exit_survey();
        let items = q["item"].as_array().unwrap();
        assert_eq!(items.len(), 7);
        for item in items {
            assert!(!item["text"].as_str().unwrap().is_empty(), "{item}");
            let translations = item["_text"]["extension"].as_array().unwrap();
            let languages: Vec<&str> = translations
                .iter()
                .map(|t| t["extension"][0]["valueCode"].as_str().unwrap())
                .collect();
            assert_eq!(languages, ["es", "ar"]);
            for t in translations {
                assert!(!t["extension"][1]["valueString"]
                    .as_str()
                    .unwrap()
                    .is_empty());
            }
        }
        assert_eq!(
            items[0]["answerOption"][3]["valueCoding"]["display"],
            "Very happy"
        );
        assert_eq!(
            items[2]["answerOption"][0]["valueCoding"]["_display"]["extension"][0]["extension"][1]
                ["valueString"],
            "Tiempo de espera"
        );
    }
}
