//! The adoption service, shared by every council: adopters as records in their own right, from
//! their first enquiry through assessment (stage 1 and stage 2, AAR 2005 as amended 2013) to
//! approval, matching and a child placed with them, or leaving the process. Children's own steps
//! through adoption are in `cases::care`.

#[cfg(test)]
mod tests;

use crate::cases::care::{AdopterLegalStatus, AdopterSexes};
use crate::code_list;
use crate::validation::{required_text, FieldErrors};
use chrono::NaiveDate;

code_list!(
    /// Where prospective adopters are in the process.
    AdopterStage {
        Enquiry = "enquiry": "Enquiry",
        Stage1 = "stage_1": "Stage 1: registration and checks",
        Stage2 = "stage_2": "Stage 2: assessment",
        Approved = "approved": "Approved, waiting for a match",
        Matched = "matched": "Matched with a child",
        Placed = "placed": "A child placed with them",
        Left = "left": "Left the process",
    }
);

impl AdopterStage {
    /// The stage staff move adopters on to by hand; matching and placing follow the child's steps.
    pub fn next_by_hand(self) -> Option<AdopterStage> {
        match self {
            AdopterStage::Enquiry => Some(AdopterStage::Stage1),
            AdopterStage::Stage1 => Some(AdopterStage::Stage2),
            AdopterStage::Stage2 => Some(AdopterStage::Approved),
            // After an adoption order the adopters may be matched again.
            AdopterStage::Placed => Some(AdopterStage::Approved),
            _ => None,
        }
    }

    pub fn is_open(self) -> bool {
        self != AdopterStage::Left
    }
}

/// Something that happened to prospective adopters, as kept in their history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AdopterEvent {
    Enquired { date: NaiveDate },
    MovedOn { date: NaiveDate, to: AdopterStage },
    MatchedWithChild { date: NaiveDate, child: String },
    ChildPlaced { date: NaiveDate, child: String },
    LeftProcess { date: NaiveDate, reason: String },
}

impl AdopterEvent {
    pub fn date(&self) -> NaiveDate {
        match self {
            AdopterEvent::Enquired { date }
            | AdopterEvent::MovedOn { date, .. }
            | AdopterEvent::MatchedWithChild { date, .. }
            | AdopterEvent::ChildPlaced { date, .. }
            | AdopterEvent::LeftProcess { date, .. } => *date,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            AdopterEvent::Enquired { .. } => "Enquiry received".into(),
            AdopterEvent::MovedOn { to, .. } => format!("Moved on: {}", to.label().to_lowercase()),
            AdopterEvent::MatchedWithChild { .. } => "Matched with a child".into(),
            AdopterEvent::ChildPlaced { .. } => "A child placed with them".into(),
            AdopterEvent::LeftProcess { reason, .. } => format!("Left the process: {reason}"),
        }
    }
}

/// Why an adopter event cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AdopterRuleBroken(pub String);

/// The adopters' stage after `event`, if the event may follow `stage` on the adopters' last
/// event date `last`.
pub fn apply_event(
    stage: Option<AdopterStage>,
    last: Option<NaiveDate>,
    event: &AdopterEvent,
) -> Result<AdopterStage, AdopterRuleBroken> {
    let refuse = |m: &str| Err(AdopterRuleBroken(m.to_string()));
    if last.is_some_and(|last| event.date() < last) {
        return refuse("this is earlier than the adopters' last recorded step");
    }
    match (stage, event) {
        (None, AdopterEvent::Enquired { .. }) => Ok(AdopterStage::Enquiry),
        (None, _) => refuse("adopters begin with an enquiry"),
        (Some(_), AdopterEvent::Enquired { .. }) => refuse("the enquiry is already recorded"),
        (Some(AdopterStage::Left), _) => refuse("the adopters have left the process"),
        (Some(s), AdopterEvent::MovedOn { to, .. }) if s.next_by_hand() == Some(*to) => Ok(*to),
        (Some(s), AdopterEvent::MovedOn { .. }) => Err(AdopterRuleBroken(format!(
            "from {} the adopters move on only to {}",
            s.label().to_lowercase(),
            s.next_by_hand()
                .map(|n| n.label().to_lowercase())
                .unwrap_or_else(|| "a step the child's record makes".into())
        ))),
        (Some(AdopterStage::Approved), AdopterEvent::MatchedWithChild { .. }) => Ok(AdopterStage::Matched),
        (Some(_), AdopterEvent::MatchedWithChild { .. }) => {
            refuse("only approved adopters can be matched with a child")
        }
        (Some(AdopterStage::Matched), AdopterEvent::ChildPlaced { .. }) => Ok(AdopterStage::Placed),
        (Some(_), AdopterEvent::ChildPlaced { .. }) => {
            refuse("a child is placed only with the adopters matched with them")
        }
        (Some(_), AdopterEvent::LeftProcess { reason, .. }) if reason.trim().is_empty() => {
            refuse("say why the adopters left the process")
        }
        (Some(_), AdopterEvent::LeftProcess { .. }) => Ok(AdopterStage::Left),
    }
}

/// The history of adopters brought from an old system with the child matched with them on
/// `matched` and, if so, placed with them on `placed`, and the stage it leaves them at. The 903
/// dates only the match and the placement, so their enquiry and approval are recorded on the day
/// of the match; each step is checked as a step taken in Canopy is.
pub fn imported_history(
    child: &str,
    matched: NaiveDate,
    placed: Option<NaiveDate>,
) -> Result<(Vec<AdopterEvent>, AdopterStage), AdopterRuleBroken> {
    let moved_on = |to| AdopterEvent::MovedOn { date: matched, to };
    let mut events = vec![
        AdopterEvent::Enquired { date: matched },
        moved_on(AdopterStage::Stage1),
        moved_on(AdopterStage::Stage2),
        moved_on(AdopterStage::Approved),
        AdopterEvent::MatchedWithChild { date: matched, child: child.into() },
    ];
    events.extend(placed.map(|date| AdopterEvent::ChildPlaced { date, child: child.into() }));
    let (mut stage, mut last) = (None, None);
    for event in &events {
        stage = Some(apply_event(stage, last, event)?);
        last = Some(event.date());
    }
    Ok((events, stage.unwrap_or(AdopterStage::Enquiry)))
}

/// Prospective adopters as entered: a household, who they are for the 903 AD1 table.
#[derive(Debug, Clone, Default)]
pub struct AdopterInput {
    pub name: String,
    pub sexes: String,
    pub legal_status: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidAdopters {
    pub name: String,
    pub sexes: AdopterSexes,
    pub legal_status: AdopterLegalStatus,
}

/// Checks new adopters: a name, and sexes and legal status that agree with each other (903 rules
/// 524 and 545: a same-sex couple is MM or FF, a different-sex couple MF, a single adopter M1 or F1).
pub fn validate_adopters(input: &AdopterInput) -> Result<ValidAdopters, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = required_text(&mut errors, "name", "the adopters' names", &input.name, 200);
    let sexes = AdopterSexes::from_code(&input.sexes);
    if sexes.is_none() {
        errors.add("sexes", "Select who the adopters are");
    }
    let legal_status = AdopterLegalStatus::from_code(&input.legal_status);
    if legal_status.is_none() {
        errors.add("legal_status", "Select the adopters' legal status");
    }
    if let (Some(sexes), Some(ls)) = (sexes, legal_status) {
        use AdopterLegalStatus as L;
        use AdopterSexes as S;
        let agrees = match ls {
            L::L11 => matches!(sexes, S::M1 | S::F1),
            L::L12 | L::L3 => matches!(sexes, S::Mm | S::Ff),
            L::L2 | L::L4 => sexes == S::Mf,
            L::L0 => true,
        };
        if !agrees {
            errors.add("legal_status", format!("{} does not match {}", ls.label(), sexes.label().to_lowercase()));
        }
    }
    match (sexes, legal_status) {
        (Some(sexes), Some(legal_status)) if errors.is_empty() => Ok(ValidAdopters { name, sexes, legal_status }),
        _ => Err(errors),
    }
}
