//! The forms for what staff record in a child's care, and how each is read into a [`CareEntry`].
//! Staff say what happened; the 903 codes are worked out by the domain.

use super::super::{Ctx, Field, FormPage};
use crate::forms::FormData;
use crate::pages::{chosen, codes};
use crate::AppError;
use canopy_domain::cases::care::{
    CareChange, CareEntry, CareHistory, HealthCheck, InTouch, LeaverAccommodation, LeaverActivity, LegalStatus,
    PermanencePlan, Placement, PlacementProvider, PlacementType, ReasonEpisodeCeased, ReasonPlaceChange,
    ReasonPlacedCeased, ReviewParticipation, SdqReason,
};
use canopy_domain::cases::PrimaryNeed;
use canopy_domain::validation::{required_text, FieldErrors};
use canopy_store::children::ChildRow;

/// The people a form may offer: the IROs who serve the child's council, or the approved adopters.
#[derive(Debug, Clone, Default)]
pub(crate) struct Choices {
    pub iros: Vec<(String, String)>,
    pub adopters: Vec<(String, String)>,
}

/// What can be recorded, by the last part of its address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum What {
    Started,
    LegalStatus,
    Placement,
    Ceased,
    Visit,
    Review,
    Missing,
    Returned,
    Health,
    Sdq,
    Unaccompanied,
    CarePlan,
    Iro,
    AdoptionDecision,
    AdoptionReversed,
    Match,
    AdoptionReview,
    Adviser,
    PathwayPlan,
    LeaverContact,
    SupportTo25,
}

impl What {
    const ALL: [What; 21] = [
        What::Started,
        What::LegalStatus,
        What::Placement,
        What::Ceased,
        What::Visit,
        What::Review,
        What::Missing,
        What::Returned,
        What::Health,
        What::Sdq,
        What::Unaccompanied,
        What::CarePlan,
        What::Iro,
        What::AdoptionDecision,
        What::AdoptionReversed,
        What::Match,
        What::AdoptionReview,
        What::Adviser,
        What::PathwayPlan,
        What::LeaverContact,
        What::SupportTo25,
    ];

    pub(crate) fn slug(self) -> &'static str {
        match self {
            What::Started => "start",
            What::LegalStatus => "legal-status",
            What::Placement => "placement",
            What::Ceased => "leave",
            What::Visit => "visit",
            What::Review => "review",
            What::Missing => "missing",
            What::Returned => "returned",
            What::Health => "health",
            What::Sdq => "sdq",
            What::Unaccompanied => "uasc",
            What::CarePlan => "care-plan",
            What::Iro => "iro",
            What::AdoptionDecision => "adoption-decision",
            What::AdoptionReversed => "adoption-reversed",
            What::Match => "match",
            What::AdoptionReview => "adoption-review",
            What::Adviser => "personal-adviser",
            What::PathwayPlan => "pathway-plan",
            What::LeaverContact => "leaver-contact",
            What::SupportTo25 => "support-to-25",
        }
    }

    pub(crate) fn title(self) -> &'static str {
        match self {
            What::Started => "Record the child starting to be looked after",
            What::LegalStatus => "Record a change of legal status",
            What::Placement => "Record a placement move",
            What::Ceased => "Record the child leaving care",
            What::Visit => "Record a statutory visit",
            What::Review => "Record a looked-after review",
            What::Missing => "Record the child missing or away",
            What::Returned => "Record the child's return",
            What::Health => "Record a health check",
            What::Sdq => "Record a strengths and difficulties questionnaire",
            What::Unaccompanied => "Record unaccompanied asylum-seeking status",
            What::CarePlan => "Record the care plan",
            What::Iro => "Record the independent reviewing officer",
            What::AdoptionDecision => "Record the decision that the child should be placed for adoption",
            What::AdoptionReversed => "Record that the adoption decision was reversed",
            What::Match => "Record the match with adopters",
            What::AdoptionReview => "Record an adoption review",
            What::Adviser => "Record the personal adviser",
            What::PathwayPlan => "Record a pathway plan review",
            What::LeaverContact => "Record contact with the care leaver",
            What::SupportTo25 => "Record a request for support up to 25",
        }
    }

    pub(crate) fn from_slug(slug: &str) -> Result<Self, AppError> {
        Self::ALL.into_iter().find(|w| w.slug() == slug).ok_or(AppError::NotFound)
    }

    /// What may be recorded now, from where the child is in their care; the match only by the
    /// adoption service.
    pub(crate) fn open_now(history: &CareHistory, adoption_service: bool) -> Vec<What> {
        let missing = history.missing.last().is_some_and(|m| m.end.is_none());
        if !history.in_care_now() {
            let mut open = vec![What::Started];
            if history.ever_looked_after() {
                open.extend([What::LeaverContact, What::PathwayPlan, What::Adviser, What::SupportTo25]);
            }
            return open;
        }
        let whereabouts = if missing { What::Returned } else { What::Missing };
        let mut open = vec![What::Placement, What::Visit, What::Review, whereabouts, What::Health, What::Sdq];
        open.extend([What::LegalStatus, What::CarePlan, What::Iro, What::Unaccompanied]);
        match history.adoption_in_force() {
            None => open.push(What::AdoptionDecision),
            Some(a) if a.placed.is_some() => {
                open.push(What::AdoptionReview);
                // A placement brought from an old system's return may stand without its match,
                // which is then recorded with its own, earlier day.
                if a.matched.is_none() && adoption_service {
                    open.push(What::Match);
                }
            }
            Some(a) => {
                if a.matched.is_none() && adoption_service {
                    open.push(What::Match);
                }
                open.push(What::AdoptionReversed);
            }
        }
        open.extend([What::PathwayPlan, What::Adviser, What::Ceased]);
        open
    }
}

fn placement_fields(form: &FormData) -> Vec<Field> {
    vec![
        Field::choices(
            "place",
            "Type of placement",
            "select",
            codes(PlacementType::ALL, PlacementType::code, PlacementType::label),
            &[form.get("place")],
        ),
        Field::choices(
            "provider",
            "Who provides it",
            "select",
            codes(PlacementProvider::ALL, PlacementProvider::code, PlacementProvider::label),
            &[form.get("provider")],
        ),
        Field::text("carer", "Carers or home", form.get("carer"))
            .hint("The foster carers' names or the home's name: the same carers at a new address are the same carers"),
        Field::text("address", "Address of the placement (optional)", form.get("address"))
            .hint("For example, 12 Elm Road, Reading"),
        Field::text("postcode", "Postcode of the placement", form.get("postcode")).width("govuk-input--width-10"),
        Field::text("urn", "Ofsted URN (optional)", form.get("urn")).width("govuk-input--width-10"),
    ]
}

pub(crate) fn care_form(
    ctx: &Ctx,
    child: &ChildRow,
    what: What,
    choices: &Choices,
    form: &FormData,
    errors: &FieldErrors,
) -> FormPage {
    let mut fields = vec![Field::date("date", "Date", form)];
    match what {
        What::Started | What::LegalStatus => {
            fields.push(Field::choices(
                "legal_status",
                "Legal status",
                "select",
                codes(LegalStatus::ALL, LegalStatus::code, LegalStatus::label),
                &[form.get("legal_status")],
            ));
            if what == What::Started {
                fields.extend(placement_fields(form));
                let needs: Vec<PrimaryNeed> =
                    PrimaryNeed::ALL.iter().copied().filter(|n| n.is_category_of_need()).collect();
                fields.push(
                    Field::choices(
                        "category_of_need",
                        "Why care began (category of need)",
                        "select",
                        codes(&needs, PrimaryNeed::code, PrimaryNeed::label),
                        &[form.get("category_of_need")],
                    )
                    .hint("The SSDA903 return needs it for every period of care"),
                );
            }
        }
        What::Placement => {
            fields.extend(placement_fields(form));
            fields.push(Field::choices(
                "reason",
                "Why the placement changed",
                "select",
                codes(ReasonPlaceChange::ALL, ReasonPlaceChange::code, ReasonPlaceChange::label),
                &[form.get("reason")],
            ));
        }
        What::Ceased => {
            let reasons: Vec<ReasonEpisodeCeased> =
                ReasonEpisodeCeased::ALL.iter().copied().filter(|r| *r != ReasonEpisodeCeased::X1).collect();
            fields.push(Field::choices(
                "reason",
                "Why care ended",
                "select",
                codes(&reasons, ReasonEpisodeCeased::code, ReasonEpisodeCeased::label),
                &[form.get("reason")],
            ));
        }
        What::Visit => fields.push(Field::choices(
            "seen_alone",
            "The child",
            "checkboxes",
            vec![("yes".into(), "Was seen alone".into())],
            &form.all("seen_alone"),
        )),
        What::Missing => fields.push(Field::choices(
            "away",
            "Where the child is",
            "radios",
            vec![
                ("missing".into(), "Missing: nobody knows where".into()),
                ("away".into(), "Away from placement without permission, whereabouts known".into()),
            ],
            &[form.get("away")],
        )),
        What::Returned => fields.push(Field::choices(
            "interview",
            "Return interview",
            "checkboxes",
            vec![
                ("offered".into(), "A return interview was offered".into()),
                ("accepted".into(), "The child accepted it".into()),
            ],
            &form.all("interview"),
        )),
        What::Review => fields.push(
            Field::choices(
                "participation",
                "How the child took part",
                "select",
                codes(ReviewParticipation::ALL, ReviewParticipation::code, ReviewParticipation::label),
                &[form.get("participation")],
            )
            .hint("The review is recorded as chaired by the child's independent reviewing officer"),
        ),
        What::Health => fields.push(Field::choices(
            "check",
            "Which check",
            "radios",
            HealthCheck::ALL.iter().map(|c| (c.code().to_string(), c.label().to_string())).collect(),
            &[form.get("check")],
        )),
        What::Sdq => {
            fields.push(
                Field::text("score", "Total score (optional)", form.get("score"))
                    .width("govuk-input--width-3")
                    .hint("From 0 to 40; leave it empty and choose a reason if there is no score"),
            );
            fields.push(Field::choices(
                "reason",
                "Why there is no score",
                "select",
                codes(SdqReason::ALL, SdqReason::code, SdqReason::label),
                &[form.get("reason")],
            ));
        }
        What::Unaccompanied => fields.push(Field::choices(
            "asylum_seeking",
            "The child",
            "radios",
            vec![
                ("yes".into(), "Is an unaccompanied asylum-seeking child from this date".into()),
                ("no".into(), "Stopped being an unaccompanied asylum-seeking child on this date".into()),
            ],
            &[form.get("asylum_seeking")],
        )),
        What::CarePlan => {
            fields.push(Field::choices(
                "permanence",
                "The plan for permanence",
                "radios",
                PermanencePlan::ALL.iter().map(|p| (p.code().to_string(), p.label().to_string())).collect(),
                &[form.get("permanence")],
            ));
            fields.push(Field::text("summary", "The care plan in brief", form.get("summary")).kind("textarea"));
        }
        What::Iro => fields.push(people_field("iro", "Independent reviewing officer", &choices.iros, form)),
        What::AdoptionReversed => fields.push(Field::choices(
            "reason",
            "Why the decision was reversed",
            "select",
            codes(ReasonPlacedCeased::ALL, ReasonPlacedCeased::code, ReasonPlacedCeased::label),
            &[form.get("reason")],
        )),
        What::Match => {
            fields.push(people_field("adopters", "Approved adopters", &choices.adopters, form));
            fields.push(Field::choices(
                "foster_carers",
                "The adopters",
                "checkboxes",
                vec![("yes".into(), "Are the child's foster carers".into())],
                &form.all("foster_carers"),
            ));
        }
        What::Adviser => fields.push(Field::text("adviser", "Personal adviser's name", form.get("adviser"))),
        What::LeaverContact => {
            fields.push(Field::choices(
                "in_touch",
                "In touch",
                "select",
                codes(InTouch::ALL, InTouch::code, InTouch::label),
                &[form.get("in_touch")],
            ));
            fields.push(Field::choices(
                "accommodation",
                "Where they live",
                "select",
                codes(LeaverAccommodation::ALL, LeaverAccommodation::code, LeaverAccommodation::label),
                &[form.get("accommodation")],
            ));
            fields.push(Field::choices(
                "suitable",
                "Their accommodation",
                "checkboxes",
                vec![("yes".into(), "Is suitable".into())],
                &form.all("suitable"),
            ));
            fields.push(Field::choices(
                "activity",
                "What they are doing",
                "select",
                codes(LeaverActivity::ALL, LeaverActivity::code, LeaverActivity::label),
                &[form.get("activity")],
            ));
        }
        What::AdoptionDecision | What::AdoptionReview | What::PathwayPlan | What::SupportTo25 => {}
    }
    let action = format!("/children/{}/care/{}", child.id, what.slug());
    let mut page = FormPage::new(ctx, what.title(), "/work-tray", &action, "Save", fields, errors)
        .back(&format!("/children/{}", child.id));
    page.caption = child.full_name();
    page
}

fn parse_placement(form: &FormData, errors: &mut FieldErrors) -> Option<Placement> {
    let place = chosen(errors, form, "place", PlacementType::from_code, "the type of placement");
    let provider = chosen(errors, form, "provider", PlacementProvider::from_code, "who provides the placement");
    let carer = required_text(errors, "carer", "the carers or home", &form.get("carer"), 200);
    let postcode = form.get("postcode").trim().to_uppercase();
    let postcode = if postcode.is_empty() {
        None
    } else {
        match canopy_domain::org::Postcode::parse(&postcode) {
            Ok(p) => Some(p.to_string()),
            Err(e) => {
                errors.add("postcode", e.to_string());
                None
            }
        }
    };
    let urn = form.get("urn").trim().to_string();
    if !urn.is_empty() && (urn.len() > 12 || !urn.chars().all(|c| c.is_ascii_alphanumeric())) {
        errors.add("urn", "An Ofsted URN is letters and numbers, like SC123456");
    }
    let address = form.get("address").trim().to_string();
    if address.chars().count() > 200 {
        errors.add("address", "The address must be 200 characters or fewer");
    }
    let (urn, address) = ((!urn.is_empty()).then_some(urn), (!address.is_empty()).then_some(address));
    Some(Placement { place: place?, provider, carer, postcode, urn, address })
}

pub(crate) fn parse_entry(
    what: What,
    form: &FormData,
    choices: &Choices,
    today: chrono::NaiveDate,
) -> Result<CareEntry, FieldErrors> {
    let mut errors = FieldErrors::new();
    let date = crate::pages::past_date(form, &mut errors, "date", "the date", today, true);
    let entry = match what {
        What::Started => {
            let ls = chosen(&mut errors, form, "legal_status", LegalStatus::from_code, "the legal status");
            let placement = parse_placement(form, &mut errors);
            let need = form.get("category_of_need");
            let category_of_need = match need.as_str() {
                "" => None,
                code => {
                    let need = PrimaryNeed::from_code(code).filter(|n| n.is_category_of_need());
                    if need.is_none() {
                        errors.add("category_of_need", "Select why care began from the list");
                    }
                    need
                }
            };
            match (date, ls, placement) {
                (Some(date), Some(legal_status), Some(placement)) => Some(CareEntry::Change {
                    change: CareChange::StartedToBeLookedAfter {
                        date,
                        legal_status,
                        placement,
                        category_of_need,
                        carried_on: None,
                    },
                }),
                _ => None,
            }
        }
        What::LegalStatus => {
            let ls = chosen(&mut errors, form, "legal_status", LegalStatus::from_code, "the legal status");
            match (date, ls) {
                (Some(date), Some(legal_status)) => {
                    Some(CareEntry::Change { change: CareChange::LegalStatusChanged { date, legal_status } })
                }
                _ => None,
            }
        }
        What::Placement => {
            let placement = parse_placement(form, &mut errors);
            let reason = chosen(&mut errors, form, "reason", ReasonPlaceChange::from_code, "why the placement changed");
            match (date, placement, reason) {
                (Some(date), Some(placement), Some(reason)) => Some(CareEntry::Change {
                    change: CareChange::PlacementChanged {
                        date,
                        placement,
                        reason: Some(reason),
                        match_not_known: false,
                    },
                }),
                _ => None,
            }
        }
        What::Ceased => {
            let reason = chosen(&mut errors, form, "reason", ReasonEpisodeCeased::from_code, "why care ended");
            match (date, reason) {
                (Some(date), Some(reason)) => {
                    Some(CareEntry::Change { change: CareChange::CeasedToBeLookedAfter { date, reason } })
                }
                _ => None,
            }
        }
        What::Visit => date.map(|date| CareEntry::Visit { date, seen_alone: form.get("seen_alone") == "yes" }),
        What::Missing => {
            let away = match form.get("away").as_str() {
                "missing" => Some(false),
                "away" => Some(true),
                _ => {
                    errors.add("away", "Select whether the child is missing or away");
                    None
                }
            };
            match (date, away) {
                (Some(date), Some(away)) => Some(CareEntry::WentMissing { date, away }),
                _ => None,
            }
        }
        What::Returned => {
            let ticked = form.all("interview");
            date.map(|date| CareEntry::Returned {
                date,
                interview_offered: ticked.iter().any(|t| t == "offered"),
                interview_accepted: ticked.iter().any(|t| t == "accepted"),
            })
        }
        What::Review => {
            let participation =
                chosen(&mut errors, form, "participation", ReviewParticipation::from_code, "how the child took part");
            match (date, participation) {
                (Some(date), Some(participation)) => Some(CareEntry::Review { date, participation, chair: None }),
                _ => None,
            }
        }
        What::Health => {
            let check = chosen(&mut errors, form, "check", HealthCheck::from_code, "which check");
            date.zip(check).map(|(date, check)| CareEntry::HealthCheck { date, check })
        }
        What::Sdq => {
            let text = form.get("score").trim().to_string();
            let score = match text.parse::<u8>() {
                _ if text.is_empty() => None,
                Ok(score) if score <= 40 => Some(score),
                _ => {
                    errors.add("score", "Enter the total score as a whole number from 0 to 40");
                    None
                }
            };
            let reason = SdqReason::from_code(&form.get("reason"));
            if text.is_empty() && reason.is_none() {
                errors.add("score", "Enter the total score, or choose why there is none");
            }
            date.map(|date| CareEntry::Sdq { date, score, reason })
        }
        What::Unaccompanied => {
            let status = match form.get("asylum_seeking").as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => {
                    errors.add("asylum_seeking", "Select whether the child is or stopped being an asylum seeker");
                    None
                }
            };
            date.zip(status).map(|(date, asylum_seeking)| CareEntry::Unaccompanied { date, asylum_seeking })
        }
        What::CarePlan => {
            let permanence =
                chosen(&mut errors, form, "permanence", PermanencePlan::from_code, "the plan for permanence");
            let summary = required_text(&mut errors, "summary", "the care plan in brief", &form.get("summary"), 4000);
            date.zip(permanence).map(|(date, permanence)| CareEntry::CarePlan { date, permanence, summary })
        }
        What::Iro => {
            let iro = form.get("iro");
            let name = choices.iros.iter().find(|(id, _)| *id == iro).map(|(_, name)| name.clone());
            if name.is_none() {
                errors.add("iro", "Select the independent reviewing officer");
            }
            date.zip(name).map(|(date, name)| CareEntry::IroAssigned { date, iro, name })
        }
        What::AdoptionDecision => date.map(|date| CareEntry::AdoptionDecision { date, before_record: None }),
        What::AdoptionReversed => {
            let reason =
                chosen(&mut errors, form, "reason", ReasonPlacedCeased::from_code, "why the decision was reversed");
            date.zip(reason).map(|(date, reason)| CareEntry::AdoptionDecisionReversed { date, reason })
        }
        What::Match => {
            let adopters = form.get("adopters");
            let name = choices.adopters.iter().find(|(id, _)| *id == adopters).map(|(_, name)| name.clone());
            if name.is_none() {
                errors.add("adopters", "Select the approved adopters");
            }
            date.zip(name).map(|(date, adopters_name)| CareEntry::MatchedWithAdopters {
                date,
                adopters,
                adopters_name,
                foster_carers: form.get("foster_carers") == "yes",
                before_record: None,
            })
        }
        What::AdoptionReview => date.map(|date| CareEntry::AdoptionReview { date }),
        What::Adviser => {
            let adviser =
                required_text(&mut errors, "adviser", "the personal adviser's name", &form.get("adviser"), 200);
            date.map(|date| CareEntry::PersonalAdviser { date, adviser })
        }
        What::PathwayPlan => date.map(|date| CareEntry::PathwayPlanReviewed { date }),
        What::LeaverContact => {
            let in_touch =
                chosen(&mut errors, form, "in_touch", InTouch::from_code, "whether the young person is in touch");
            let accommodation = LeaverAccommodation::from_code(&form.get("accommodation"));
            let activity = LeaverActivity::from_code(&form.get("activity"));
            if in_touch.is_some_and(|t| t.has_circumstances()) {
                if accommodation.is_none() {
                    errors.add("accommodation", "Select where the young person lives");
                }
                if activity.is_none() {
                    errors.add("activity", "Select what the young person is doing");
                }
            }
            date.zip(in_touch).map(|(date, in_touch)| CareEntry::LeaverContact {
                date,
                in_touch,
                accommodation,
                suitable: form.get("suitable") == "yes",
                activity,
            })
        }
        What::SupportTo25 => date.map(|date| CareEntry::SupportTo25 { date }),
    };
    match entry {
        Some(entry) if errors.is_empty() => Ok(entry),
        _ => Err(errors),
    }
}

fn people_field(name: &str, label: &str, people: &[(String, String)], form: &FormData) -> Field {
    let options = std::iter::once((String::new(), "Choose one".to_string())).chain(people.iter().cloned()).collect();
    Field::choices(name, label, "select", options, &[form.get(name)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use canopy_domain::cases::care::{care_history, PlacementType};
    use chrono::NaiveDate;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, d).expect("date")
    }

    fn placed(place: PlacementType, match_not_known: bool) -> Vec<CareEntry> {
        let carer = |place, carer: &str| Placement {
            place,
            provider: Some(PlacementProvider::PR1),
            carer: carer.into(),
            postcode: None,
            urn: None,
            address: None,
        };
        let change = |change| CareEntry::Change { change };
        vec![
            change(CareChange::StartedToBeLookedAfter {
                date: day(1, 6),
                legal_status: LegalStatus::E1,
                placement: carer(PlacementType::U4, "Birch"),
                category_of_need: None,
                carried_on: None,
            }),
            CareEntry::AdoptionDecision { date: day(2, 3), before_record: None },
            change(CareChange::PlacementChanged {
                date: day(5, 1),
                placement: carer(place, "Not known"),
                reason: None,
                match_not_known,
            }),
        ]
    }

    #[test]
    fn the_adoption_service_may_record_the_match_of_a_child_placed_without_one() {
        let history = care_history(&placed(PlacementType::A5, true)).expect("care");
        assert!(What::open_now(&history, true).contains(&What::Match));
        assert!(!What::open_now(&history, false).contains(&What::Match), "the match is the adoption service's");
        assert!(What::open_now(&history, true).contains(&What::AdoptionReview));
        let fostered = care_history(&placed(PlacementType::U5, false)).expect("care");
        assert!(What::open_now(&fostered, true).contains(&What::Match), "decided, not yet matched");
    }

    #[test]
    fn a_care_leaver_whose_care_ended_before_the_record_may_have_contacts_and_plans_recorded() {
        let leaver = care_history(&[CareEntry::LeftCareBeforeRecord { date: day(6, 1) }]).expect("care");
        let open = What::open_now(&leaver, false);
        for what in [What::Started, What::LeaverContact, What::PathwayPlan, What::Adviser, What::SupportTo25] {
            assert!(open.contains(&what), "{}", what.title());
        }
        let never = care_history(&[]).expect("no care");
        assert_eq!(What::open_now(&never, false), vec![What::Started]);
    }
}
