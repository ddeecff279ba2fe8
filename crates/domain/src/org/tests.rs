use super::*;

fn kingston() -> CouncilCoverage {
    CouncilCoverage {
        id: "k".into(),
        name: "Kingston upon Thames".into(),
        districts: ["KT1", "KT2", "KT3"].iter().map(|d| PostcodeDistrict::parse(d).expect("district")).collect(),
    }
}

fn richmond() -> CouncilCoverage {
    CouncilCoverage {
        id: "r".into(),
        name: "Richmond upon Thames".into(),
        districts: ["TW9", "TW10"].iter().map(|d| PostcodeDistrict::parse(d).expect("district")).collect(),
    }
}

#[test]
fn la_codes_are_three_digits() {
    assert_eq!(LaCode::parse(" 314 ").map(|c| c.to_string()), Ok("314".to_string()));
    assert!(LaCode::parse("31").is_err());
    assert!(LaCode::parse("3140").is_err());
    assert!(LaCode::parse("abc").is_err());
    assert!(LaCode::parse("099").is_err());
}

#[test]
fn ons_codes_are_a_nation_letter_and_eight_digits() {
    assert_eq!(OnsCode::parse("e09000021").map(|c| c.to_string()), Ok("E09000021".to_string()));
    assert!(OnsCode::parse("S12000033").is_err());
    assert!(OnsCode::parse("E0900002").is_err());
}

#[test]
fn postcodes_and_districts_are_read_in_any_case_and_spacing() {
    let pc = Postcode::parse("kt11eu").expect("postcode");
    assert_eq!(pc.to_string(), "KT1 1EU");
    assert_eq!(Postcode::parse("SW1A 2AA").map(|p| p.district.to_string()), Ok("SW1A".into()));
    assert!(Postcode::parse("KT1").is_err());
    assert!(Postcode::parse("KT1 1E").is_err());
    assert!(Postcode::parse("ÉÉÉÉÉÉ").is_err());
    assert!(PostcodeDistrict::parse("K1").is_ok());
    assert!(PostcodeDistrict::parse("KTT1").is_err());
    let sector = PostcodeArea::parse("KT1 2").expect("sector");
    assert!(sector.contains(&Postcode::parse("KT1 2AB").expect("postcode")));
    assert!(!sector.contains(&Postcode::parse("KT1 3AB").expect("postcode")));
}

#[test]
fn a_duplicate_la_code_is_an_error_on_that_field() {
    let others = OtherCouncils { la_codes: vec![LaCode::parse("314").expect("code")], ..Default::default() };
    let input = CouncilInput {
        name: "Kingston".into(),
        la_code: "314".into(),
        ons_code: "E09000021".into(),
        postcode_districts: "KT1, KT2".into(),
    };
    let errors = validate_council(&input, &others).expect_err("duplicate code");
    assert_eq!(errors.for_field("la_code"), Some("LA code 314 already belongs to another council"));
    assert_eq!(errors.0.len(), 1);
}

#[test]
fn a_council_reports_every_problem_at_once() {
    let input = CouncilInput {
        name: " ".into(),
        la_code: "31".into(),
        ons_code: "X".into(),
        postcode_districts: "KT1, not-a-district".into(),
    };
    let errors = validate_council(&input, &OtherCouncils::default()).expect_err("all bad");
    for field in ["name", "la_code", "ons_code", "postcode_districts"] {
        assert!(errors.for_field(field).is_some(), "{field} should have an error");
    }
}

#[test]
fn a_district_another_council_covers_is_refused() {
    let others = OtherCouncils {
        districts: vec![(PostcodeDistrict::parse("TW9").expect("d"), "Richmond upon Thames".into())],
        ..Default::default()
    };
    let input = CouncilInput {
        name: "Kingston".into(),
        la_code: "314".into(),
        ons_code: "E09000021".into(),
        postcode_districts: "KT1\nTW9".into(),
    };
    let errors = validate_council(&input, &others).expect_err("district taken");
    assert_eq!(errors.for_field("postcode_districts"), Some("TW9 is already covered by Richmond upon Thames"));
}

#[test]
fn a_cluster_with_an_unknown_postcode_district_is_refused() {
    let input = ClusterInput { name: "North".into(), areas: "KT2, SL6".into(), council_ids: vec!["k".into()] };
    let errors = validate_cluster(&input, &[kingston(), richmond()], &[]).expect_err("SL6 is not Kingston's");
    assert_eq!(errors.for_field("areas"), Some("SL6 is not a postcode district of the councils this cluster serves"));
    let ok = validate_cluster(&ClusterInput { areas: "KT2, KT1 2".into(), ..input }, &[kingston(), richmond()], &[])
        .expect("valid cluster");
    assert_eq!(ok.areas.len(), 2);
}

#[test]
fn a_team_with_no_council_is_refused() {
    let input = TeamInput {
        name: "Safeguarding North".into(),
        service: "safeguarding".into(),
        cluster_id: None,
        council_ids: vec![],
    };
    let errors = validate_team(&input, &[kingston()], &[]).expect_err("no council");
    assert_eq!(errors.for_field("council_ids"), Some("Select at least one council that a team serves"));
}

#[test]
fn a_cluster_team_serves_only_the_cluster_councils_but_a_central_team_any() {
    let clusters = [ClusterCoverage { id: "north".into(), council_ids: vec!["k".into()] }];
    let input = TeamInput {
        name: "Adoption".into(),
        service: "adoption".into(),
        cluster_id: Some("north".into()),
        council_ids: vec!["k".into(), "r".into()],
    };
    let errors = validate_team(&input, &[kingston(), richmond()], &clusters).expect_err("cluster mismatch");
    assert!(errors.for_field("council_ids").is_some_and(|m| m.contains("Richmond")));
    let central = validate_team(&TeamInput { cluster_id: None, ..input }, &[kingston(), richmond()], &clusters)
        .expect("central team");
    assert_eq!(central.service, Service::Adoption);
    assert_eq!(central.council_ids.len(), 2);
}

#[test]
fn every_service_code_reads_back() {
    for s in Service::ALL {
        assert_eq!(Service::from_code(s.code()), Some(s));
    }
}

#[test]
fn a_postcode_places_an_address_in_its_council_and_cluster() {
    let clusters = vec![
        ("south-west".to_string(), vec!["k".to_string()], vec![PostcodeArea::parse("KT1").expect("area")]),
        ("north".to_string(), vec!["k".to_string()], vec![PostcodeArea::parse("KT1 4").expect("area")]),
        ("richmond".to_string(), vec!["r".to_string()], vec![PostcodeArea::parse("TW9").expect("area")]),
    ];
    let councils = [kingston(), richmond()];
    let at = |pc: &str| place_postcode(&Postcode::parse(pc).expect("postcode"), &councils, &clusters);
    assert_eq!(at("KT1 1EU"), (Some("k".into()), Some("south-west".into())));
    assert_eq!(at("KT1 4AB"), (Some("k".into()), Some("north".into())), "a sector beats its district");
    assert_eq!(at("KT2 5AA"), (Some("k".into()), None), "in the council, but no cluster covers it");
    assert_eq!(at("SL6 1AA"), (None, None));
}
