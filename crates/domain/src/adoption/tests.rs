use super::*;

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).unwrap()
}

fn through(events: &[AdopterEvent]) -> Result<AdopterStage, AdopterRuleBroken> {
    let mut stage = None;
    let mut last = None;
    for e in events {
        stage = Some(apply_event(stage, last, e)?);
        last = Some(e.date());
    }
    stage.ok_or(AdopterRuleBroken("no events".into()))
}

#[test]
fn adopters_go_from_enquiry_through_both_stages_to_approval_then_a_match_and_a_placement() {
    let events = [
        AdopterEvent::Enquired { date: d(1, 5) },
        AdopterEvent::MovedOn { date: d(1, 20), to: AdopterStage::Stage1 },
        AdopterEvent::MovedOn { date: d(3, 10), to: AdopterStage::Stage2 },
        AdopterEvent::MovedOn { date: d(7, 1), to: AdopterStage::Approved },
        AdopterEvent::MatchedWithChild { date: d(8, 1), child: "c1".into() },
        AdopterEvent::ChildPlaced { date: d(8, 20), child: "c1".into() },
    ];
    assert_eq!(through(&events), Ok(AdopterStage::Placed));
}

#[test]
fn adopters_cannot_skip_stage_2_or_be_matched_before_approval() {
    let skip =
        [AdopterEvent::Enquired { date: d(1, 5) }, AdopterEvent::MovedOn { date: d(1, 6), to: AdopterStage::Approved }];
    assert!(through(&skip).unwrap_err().0.contains("stage 1"));
    let early = [
        AdopterEvent::Enquired { date: d(1, 5) },
        AdopterEvent::MovedOn { date: d(1, 20), to: AdopterStage::Stage1 },
        AdopterEvent::MatchedWithChild { date: d(2, 1), child: "c1".into() },
    ];
    assert_eq!(through(&early).unwrap_err().0, "only approved adopters can be matched with a child");
}

#[test]
fn adopters_who_leave_need_a_reason_and_then_nothing_more_happens() {
    let base = [AdopterEvent::Enquired { date: d(1, 5) }];
    let no_reason = [base[0].clone(), AdopterEvent::LeftProcess { date: d(2, 1), reason: " ".into() }];
    assert!(through(&no_reason).is_err());
    let left = [base[0].clone(), AdopterEvent::LeftProcess { date: d(2, 1), reason: "Moved abroad".into() }];
    assert_eq!(through(&left), Ok(AdopterStage::Left));
    let after = [left[0].clone(), left[1].clone(), AdopterEvent::MovedOn { date: d(3, 1), to: AdopterStage::Stage1 }];
    assert_eq!(through(&after).unwrap_err().0, "the adopters have left the process");
}

#[test]
fn an_adopter_step_cannot_be_dated_before_the_last_one() {
    let events =
        [AdopterEvent::Enquired { date: d(3, 5) }, AdopterEvent::MovedOn { date: d(3, 1), to: AdopterStage::Stage1 }];
    assert!(through(&events).unwrap_err().0.contains("earlier"));
}

#[test]
fn adopters_sexes_and_legal_status_must_agree_as_the_903_rules_say() {
    let input = |sexes: &str, ls: &str| AdopterInput {
        name: "Sam and Alex".into(),
        sexes: sexes.into(),
        legal_status: ls.into(),
    };
    assert!(validate_adopters(&input("MM", "L12")).is_ok());
    assert!(validate_adopters(&input("MF", "L2")).is_ok());
    assert!(validate_adopters(&input("F1", "L11")).is_ok());
    assert!(validate_adopters(&input("MF", "L12")).unwrap_err().for_field("legal_status").is_some());
    assert!(validate_adopters(&input("MM", "L11")).is_err());
    let blank = validate_adopters(&AdopterInput::default()).unwrap_err();
    assert!(blank.for_field("name").is_some() && blank.for_field("sexes").is_some());
}

#[test]
fn adopters_from_an_old_system_are_approved_on_the_day_of_their_match_then_placed() {
    let (events, stage) = imported_history("C1", d(3, 1), Some(d(4, 1))).expect("steps");
    assert_eq!(stage, AdopterStage::Placed);
    assert_eq!(events.first(), Some(&AdopterEvent::Enquired { date: d(3, 1) }));
    assert_eq!(events.last(), Some(&AdopterEvent::ChildPlaced { date: d(4, 1), child: "C1".into() }));
    assert_eq!(imported_history("C1", d(3, 1), None).expect("steps").1, AdopterStage::Matched);
    assert!(imported_history("C1", d(3, 1), Some(d(2, 1))).is_err(), "placed before the match");
}
