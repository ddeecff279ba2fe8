//! Every rule is tested twice: a clean return passes it, and the same return with one fault
//! that the rule is about fails it. The clean return has four children: K1 looked after all
//! year, K2 adopted in the year, K3 a care leaver, K4 an unaccompanied asylum-seeking child who
//! came into care in the year; last year's return, a provider and the postcodes go with it.

use super::*;

fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, day)
}

fn s(text: &str) -> Option<String> {
    Some(text.to_string())
}

const OWN: &str = "E09000021";
const HOME: &str = "KT1 1AA";
const PLACED: &str = "KT2 5AA";
const URN: &str = "SC100001";

fn header(child: &str, sex: &str, dob: Option<NaiveDate>, upn: &str, mother: Option<String>) -> HeaderRow {
    HeaderRow { child: s(child), sex: s(sex), dob, ethnic: s("WBRI"), upn: s(upn), mother, mc_dob: None }
}

#[allow(clippy::too_many_arguments)]
fn episode(
    child: &str,
    decom: Option<NaiveDate>,
    rne: &str,
    ls: &str,
    place: &str,
    dec: Option<NaiveDate>,
    rec: Option<&str>,
) -> EpisodeRow {
    EpisodeRow {
        child: s(child),
        decom,
        rne: s(rne),
        ls: s(ls),
        cin: s("N1"),
        place: s(place),
        place_provider: s("PR1"),
        dec,
        rec: rec.map(String::from),
        reason_place_change: None,
        home_post: s(HOME),
        pl_post: s(PLACED),
        urn: s(URN),
    }
}

fn sw(child: &str, dob: Option<NaiveDate>, id: &str, from: Option<NaiveDate>) -> SwEpisodeRow {
    SwEpisodeRow { child: s(child), dob, sw_id: s(id), sw_decom: from, sw_dec: None, sw_reason: s("FCONTA") }
}

const K1_DOB: (i32, u32, u32) = (2012, 5, 10);
const K2_DOB: (i32, u32, u32) = (2022, 1, 15);
const K3_DOB: (i32, u32, u32) = (2006, 9, 1);
const K4_DOB: (i32, u32, u32) = (2009, 2, 1);

fn dob(born: (i32, u32, u32)) -> Option<NaiveDate> {
    d(born.0, born.1, born.2)
}

fn clean() -> Ssda903Return {
    let (k1, k2, k3, k4) = (dob(K1_DOB), dob(K2_DOB), dob(K3_DOB), dob(K4_DOB));
    let mut k4_header = header("K4", "F", k4, "UN2", s("0"));
    k4_header.ethnic = s("OOTH");
    let mut adopted = episode("K2", d(2025, 5, 1), "U", "E1", "A4", d(2025, 12, 1), Some("E11"));
    adopted.urn = s("XXXXXXX");
    let mut before_adoption = episode("K2", d(2024, 2, 1), "S", "C2", "U3", d(2025, 5, 1), Some("X1"));
    before_adoption.reason_place_change = s("CARPL");
    let mut uasc_placement = episode("K4", d(2025, 6, 1), "S", "V2", "K2", None, None);
    uasc_placement.home_post = None;
    uasc_placement.cin = s("N8");
    Ssda903Return {
        header: vec![
            header("K1", "F", k1, "A123456789012", s("0")),
            header("K2", "M", k2, "UN1", None),
            header("K3", "M", k3, "B123456789012", None),
            k4_header,
        ],
        episodes: vec![
            episode("K1", d(2024, 6, 1), "S", "C2", "U1", None, None),
            before_adoption,
            adopted,
            uasc_placement,
        ],
        reviews: vec![
            ReviewRow { child: s("K1"), dob: k1, review: d(2025, 6, 1), review_code: s("PN1") },
            ReviewRow { child: s("K1"), dob: k1, review: d(2025, 12, 1), review_code: s("PN1") },
            ReviewRow { child: s("K2"), dob: k2, review: d(2025, 8, 1), review_code: s("PN0") },
            ReviewRow { child: s("K4"), dob: k4, review: d(2025, 6, 20), review_code: s("PN1") },
        ],
        uasc: vec![UascRow { child: s("K4"), sex: s("F"), dob: k4, duc: None }],
        oc2: vec![Oc2Row {
            child: s("K1"),
            dob: k1,
            sdq_score: s("12"),
            sdq_reason: None,
            convicted: s("0"),
            health_check: None,
            immunisations: s("1"),
            teeth_check: s("1"),
            health_assessment: s("1"),
            substance_misuse: s("0"),
            intervention_received: None,
            intervention_offered: None,
        }],
        oc3: vec![Oc3Row { child: s("K3"), dob: k3, in_touch: s("YES"), activ: s("F1"), accom: s("S2") }],
        ad1: vec![Ad1Row {
            child: s("K2"),
            dob: k2,
            date_int: d(2025, 3, 1),
            date_match: d(2025, 4, 15),
            foster_care: s("0"),
            nb_adoptr: s("2"),
            sex_adoptr: s("MF"),
            ls_adoptr: s("L11"),
        }],
        placed_adoption: vec![PlacedAdoptionRow {
            child: s("K2"),
            dob: k2,
            date_placed: d(2025, 3, 1),
            date_placed_ceased: None,
            reason_placed_ceased: None,
        }],
        prev_perm: vec![PrevPermRow { child: s("K4"), dob: k4, prev_perm: s("Z1"), la_perm: None, date_perm: None }],
        missing: vec![MissingRow {
            child: s("K1"),
            dob: k1,
            missing: s("M"),
            mis_start: d(2025, 7, 1),
            mis_end: d(2025, 7, 3),
        }],
        sw_episodes: vec![
            sw("K1", k1, "SW100001", d(2024, 6, 1)),
            sw("K2", k2, "SW100002", d(2024, 2, 1)),
            sw("K4", k4, "SW100003", d(2025, 6, 1)),
        ],
        dolo: vec![],
        unreadable: vec![],
    }
}

/// Last year's return: K1 and K2 already in care, K3 leaving care at 18.
fn last_year() -> Ssda903Return {
    let this = clean();
    let mut k3 = episode("K3", d(2023, 1, 1), "S", "V2", "U1", d(2024, 9, 1), Some("E8"));
    k3.urn = s(URN);
    let mut k2 = episode("K2", d(2024, 2, 1), "S", "C2", "U3", None, None);
    k2.reason_place_change = None;
    Ssda903Return {
        header: this.header[..3].to_vec(),
        episodes: vec![this.episodes[0].clone(), k2, k3],
        placed_adoption: this.placed_adoption.clone(),
        ..Default::default()
    }
}

fn postcodes() -> Postcodes {
    let at = |la: &str, east: f64, north: f64| Located { local_authority: la.into(), easting: east, northing: north };
    Postcodes(
        [
            ("KT11AA", at(OWN, 518_000.0, 169_000.0)),
            ("KT25AA", at(OWN, 519_000.0, 170_000.0)),
            ("GU11AA", at("E10000030", 499_000.0, 149_000.0)),
            ("CF101AA", at("WAL", 318_000.0, 176_000.0)),
            ("AB101AA", at("SCO", 394_000.0, 806_000.0)),
            // Far off the grid, for distances no real pair of postcodes gives.
            ("ZZ999ZZ", at(OWN, 5_000_000.0, 5_000_000.0)),
        ]
        .into_iter()
        .map(|(p, l)| (p.to_string(), l))
        .collect(),
    )
}

fn providers() -> Providers {
    let codes = |c: &[&str]| c.iter().map(|c| c.to_string()).collect();
    let home = Provider {
        urn: URN.into(),
        place_codes: codes(&["U1", "U2", "U3", "U4", "U5", "U6", "K2", "K3", "R3"]),
        provider_codes: codes(&["PR1"]),
        registration_ended: None,
        postcode: s("KT25AA"),
        local_authority: s(OWN),
    };
    let closed = Provider {
        urn: "SC100002".into(),
        registration_ended: d(2025, 1, 1),
        local_authority: s("E10000030"),
        postcode: s("GU11AA"),
        ..home.clone()
    };
    Providers([(home.urn.clone(), home), (closed.urn.clone(), closed)].into_iter().collect())
}

fn findings(census: &Ssda903Return, last: &Ssda903Return) -> Vec<Finding> {
    let rules = ruleset(CollectionYear(2026)).expect("rules");
    let (postcodes, providers) = (postcodes(), providers());
    let inputs = Inputs {
        local_authority: Some(OWN),
        last_year: Some(last),
        providers: Some(&providers),
        postcodes: Some(&postcodes),
    };
    let cx = Context::new(CollectionYear(2026), census, inputs).expect("context");
    check_return(&rules, census, &cx)
}

#[test]
fn the_clean_return_passes_every_rule() {
    let found = findings(&clean(), &last_year());
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn there_are_316_rules_each_with_its_message_and_fields() {
    let rules = ruleset(CollectionYear(2026)).expect("rules");
    assert_eq!(rules.len(), 316);
    let mut codes: Vec<&str> = rules.iter().map(|r| r.code).collect();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), 316, "codes are unique");
    assert!(rules.iter().all(|r| !r.message.is_empty() && !r.fields.is_empty()));
    assert!(ruleset(CollectionYear(2025)).is_none());
}

type Return = Ssda903Return;
type Fault = fn(&mut Return, &mut Return);

fn unreadable(r: &mut Return, table: &'static str, row: usize, column: &'static str) {
    r.unreadable.push(super::super::UnreadableCell { table, row, column, value: "2025-13-45".into() });
}

fn leaver(child: &str, born: Option<NaiveDate>) -> Oc3Row {
    Oc3Row { child: s(child), dob: born, in_touch: s("YES"), activ: s("F1"), accom: s("S2") }
}

/// An OC2 row for K4, who was not looked after all year.
fn k4_outcomes(r: &mut Return) -> &mut Oc2Row {
    let mut row = Oc2Row { child: s("K4"), dob: dob(K4_DOB), ..Default::default() };
    row.sdq_score = None;
    r.oc2.push(row);
    r.oc2.last_mut().expect("row")
}

fn missing(child: &str, born: Option<NaiveDate>, from: Option<NaiveDate>, to: Option<NaiveDate>) -> MissingRow {
    MissingRow { child: s(child), dob: born, missing: s("M"), mis_start: from, mis_end: to }
}

fn leave_care(r: &mut Return, i: usize, on: Option<NaiveDate>, reason: &str) {
    r.episodes[i].dec = on;
    r.episodes[i].rec = s(reason);
}

/// Rules the CSV form cannot fail: the header's UASC status is whether the child is in the UASC
/// table (105, 303), and the placement's location is worked out from its authority (411).
const CANNOT_FAIL_IN_CSV: &[&str] = &["105", "303", "411"];

/// For each rule, a fault it must find: a change to this year's return, last year's, or both.
const FAULTS: &[(&str, Fault)] = &[
    // Care leavers
    ("1000", |_, l| l.episodes[2].rec = s("E2")),
    ("1001", |_, l| l.episodes[2].decom = d(2024, 8, 15)),
    ("1002", |_, l| l.episodes.truncate(2)),
    ("1007", |r, _| {
        leave_care(r, 3, d(2026, 3, 1), "E8");
        r.oc3.push(leaver("K4", dob(K4_DOB)));
    }),
    ("1010", |_, l| {
        l.episodes[2].dec = None;
        l.episodes[2].rec = None;
    }),
    ("1011", |r, _| {
        r.episodes[2].rec = s("E3");
        r.oc3.push(leaver("K2", dob(K2_DOB)));
    }),
    ("1014", |r, _| {
        r.episodes[3].decom = d(2023, 1, 1);
        leave_care(r, 3, d(2024, 1, 1), "E8");
        r.oc3.push(leaver("K4", dob(K4_DOB)));
    }),
    ("1016", |r, _| {
        leave_care(r, 3, d(2026, 2, 10), "E8");
        r.oc3.push(leaver("K4", dob(K4_DOB)));
    }),
    ("131", |r, _| r.oc3[0].in_touch = s("X")),
    ("132", |r, _| r.oc3[0].activ = s("X")),
    ("133", |r, _| r.oc3[0].accom = s("X")),
    ("153", |r, _| r.oc3[0].accom = None),
    ("3001", |r, _| {
        r.header[2].dob = d(2008, 6, 1);
        r.oc3[0].accom = s("Z1");
    }),
    ("344", |r, _| r.oc3[0].in_touch = s("DIED")),
    ("345", |r, _| r.oc3[0].activ = s("0")),
    ("347", |r, _| {
        r.oc3[0].dob = d(2008, 1, 1);
        r.oc3[0].accom = s("T");
    }),
    ("348", |_, l| l.oc3.push(Oc3Row { in_touch: s("DIED"), ..leaver("K3", dob(K3_DOB)) })),
    ("391", |r, _| r.oc3[0].dob = d(2010, 1, 1)),
    // The header and UASC
    ("101", |r, _| r.header[0].sex = s("X")),
    ("102", |r, _| r.header[0].dob = None),
    ("103", |r, _| r.header[0].ethnic = s("XXXX")),
    ("104", |r, _| unreadable(r, "UASC", 0, "DUC")),
    ("165", |r, _| r.header[0].mother = s("2")),
    ("168", |r, _| r.header[0].upn = s("A12345")),
    ("171", |r, _| unreadable(r, "Header", 0, "MC_DOB")),
    ("174", |r, _| r.header[1].mc_dob = d(2020, 1, 1)),
    ("202", |_, l| l.header[0].sex = s("M")),
    ("203", |_, l| l.header[0].dob = d(2012, 5, 11)),
    ("204", |_, l| l.header[0].ethnic = s("WOTH")),
    ("205A", |r, l| {
        l.header.push(r.header[3].clone());
        l.uasc.push(r.uasc[0].clone());
        r.header.remove(3);
    }),
    ("205B", |r, l| {
        l.header.push(r.header[3].clone());
        l.uasc.push(r.uasc[0].clone());
    }),
    ("205C", |r, _| {
        r.header.remove(3);
        r.uasc[0].duc = d(2026, 1, 1);
    }),
    ("205D", |r, l| l.header.push(r.header[3].clone())),
    ("207", |_, l| l.header[0].mother = s("1")),
    ("208", |_, l| l.header[0].upn = s("A999999999999")),
    ("209", |r, _| r.header[1].dob = d(2015, 1, 1)),
    ("210", |r, _| {
        r.header[3].upn = s("UN4");
        r.episodes[3].decom = d(2026, 3, 25);
    }),
    ("231", |r, _| r.header[3].dob = d(2018, 1, 1)),
    ("232", |r, _| r.header[0].sex = s("U")),
    ("301", |r, _| r.header[0].dob = d(2026, 5, 1)),
    ("304", |r, _| r.uasc[0].duc = d(2028, 1, 1)),
    ("351", |r, _| r.header[2].dob = d(1990, 1, 1)),
    ("393", |r, _| r.header[0].mother = None),
    ("442", |r, _| r.header[0].upn = None),
    ("444", |r, _| r.header[2].upn = s("A123456789012")),
    ("607", |r, _| {
        r.header[3].mother = None;
        leave_care(r, 3, d(2026, 1, 10), "E8");
    }),
    ("611", |r, _| r.header[0].mother = s("1")),
    ("612", |r, _| r.header[0].mc_dob = d(2025, 1, 1)),
    ("620", |r, _| {
        r.header[0].dob = d(2016, 1, 1);
        r.header[0].mother = s("1");
        r.header[0].mc_dob = d(2025, 1, 1);
    }),
    ("621", |r, _| {
        r.header[0].mother = s("1");
        r.header[0].mc_dob = d(2010, 1, 1);
    }),
    ("624", |_, l| l.header[0].mc_dob = d(2024, 1, 1)),
    ("625", |r, _| r.header[1].mc_dob = d(2026, 1, 1)),
    ("626", |r, _| {
        r.header[0].mother = s("1");
        r.header[0].mc_dob = d(2024, 1, 1);
    }),
    ("628", |r, _| r.header[2].mother = s("0")),
    // Episodes
    ("141", |r, _| unreadable(r, "Episodes", 0, "DECOM")),
    ("142", |r, _| r.episodes[1].rec = None),
    ("143", |r, _| r.episodes[0].rne = s("X")),
    ("144", |r, _| r.episodes[0].ls = s("XX")),
    ("145", |r, _| r.episodes[0].cin = s("N9")),
    ("147", |r, _| unreadable(r, "Episodes", 0, "DEC")),
    ("148", |r, _| r.episodes[1].rec = None),
    ("149", |r, _| r.episodes[0].rec = s("E99")),
    ("199", |_, l| {
        l.episodes[1].dec = d(2024, 10, 1);
        l.episodes[1].rec = s("E11");
    }),
    ("217", |r, _| {
        r.episodes[2].place = s("A3");
        r.episodes[2].rne = s("P");
    }),
    ("225", |r, _| r.episodes[1].reason_place_change = None),
    ("226", |r, _| {
        r.episodes[0].place = s("T1");
        r.episodes[0].reason_place_change = s("CARPL");
    }),
    ("233", |r, _| r.episodes[0].reason_place_change = s("CARPL")),
    ("234", |r, _| {
        r.header[0].dob = d(2016, 1, 1);
        r.episodes[0].reason_place_change = s("CUSTOD");
    }),
    ("302", |r, _| r.header[0].dob = d(2025, 1, 1)),
    ("352", |r, _| r.header[3].dob = d(2005, 1, 1)),
    ("353", |r, _| r.episodes[0].decom = d(1990, 1, 1)),
    ("354", |r, _| r.episodes[3].decom = d(2026, 5, 1)),
    ("355", |r, _| r.episodes[1].dec = d(2024, 2, 1)),
    ("356", |r, _| r.episodes[1].dec = d(2024, 1, 1)),
    ("357", |r, _| r.episodes[3].rne = s("P")),
    ("358", |r, _| {
        r.header[3].dob = d(2018, 1, 1);
        r.episodes[3].ls = s("J1");
    }),
    ("359", |r, _| r.header[0].dob = d(2005, 1, 1)),
    ("361", |r, _| r.episodes[0].ls = s("L1")),
    ("362", |r, _| r.episodes[0].ls = s("L2")),
    ("363", |r, _| r.episodes[0].ls = s("L3")),
    ("364", |r, _| r.episodes[0].ls = s("J2")),
    ("365", |r, _| r.episodes[0].ls = s("V3")),
    ("366", |r, _| r.episodes[2].ls = s("V3")),
    ("367", |r, _| r.episodes[0].ls = s("V3")),
    ("378", |r, _| {
        r.episodes[0].place = s("P1");
        r.episodes[0].ls = s("V2");
    }),
    ("380", |r, _| r.episodes[0].place = s("T1")),
    ("381", |r, _| r.episodes[2].place = s("T1")),
    ("382", |r, _| {
        r.episodes[0].ls = s("V3");
        r.episodes[0].place = s("T1");
    }),
    ("383", |r, _| {
        r.episodes.push(episode("K2", d(2023, 6, 1), "S", "C2", "U3", d(2024, 2, 1), Some("X1")));
        r.episodes[1].place = s("T1");
        r.episodes[1].rne = s("P");
    }),
    ("384", |r, _| r.episodes[0].ls = s("V3")),
    ("385", |r, _| r.episodes[2].dec = d(2026, 5, 1)),
    ("386", |r, _| r.header[1].dob = d(2005, 1, 1)),
    ("387", |r, _| r.episodes[2].rec = s("E5")),
    ("388", |r, _| r.episodes[1].rec = s("E8")),
    ("389", |r, _| r.episodes[2].rec = s("E7")),
    ("390", |r, _| r.episodes[2].place = s("U1")),
    ("407", |r, _| {
        r.header[1].dob = d(2005, 1, 1);
        r.episodes[2].rec = s("E45");
    }),
    ("408", |r, _| r.episodes[0].place = s("A5")),
    ("426", |r, _| {
        r.episodes[1].ls = s("V3");
        r.episodes[2].ls = s("V4");
    }),
    ("431", |r, _| r.episodes[2].rne = s("S")),
    ("432", |r, _| r.episodes[1].rec = s("E8")),
    ("433", |r, _| r.episodes[2].decom = d(2025, 5, 2)),
    ("434", |r, _| r.episodes[2].rne = s("L")),
    ("435", |r, _| r.episodes[2].rne = s("P")),
    ("436", |r, _| r.episodes[2].ls = s("C2")),
    ("437", |r, _| r.episodes[1].rec = s("E2")),
    ("446", |r, _| {
        r.episodes[0].ls = s("E1");
        r.episodes[0].decom = d(2004, 1, 1);
    }),
    ("460", |r, _| r.episodes[2].rec = s("E17")),
    ("501", |r, _| r.episodes[2].decom = d(2025, 4, 20)),
    ("502", |_, l| l.episodes[0].decom = d(2024, 5, 1)),
    ("503A", |_, l| l.episodes[0].rne = s("P")),
    ("503B", |_, l| l.episodes[0].ls = s("C1")),
    ("503C", |_, l| l.episodes[0].cin = s("N2")),
    ("503D", |_, l| l.episodes[0].place = s("U2")),
    ("503E", |_, l| l.episodes[0].place_provider = s("PR2")),
    ("503F", |_, l| l.episodes[0].urn = s("SC999999")),
    ("504", |r, _| r.episodes[2].cin = s("N2")),
    ("516", |r, _| r.episodes[2].rec = s("E45")),
    // Placements
    ("146", |r, _| r.episodes[0].place = s("X1")),
    ("1008", |r, _| r.episodes[0].urn = s("SC999999")),
    ("1009", |r, _| r.episodes[0].reason_place_change = s("XXX")),
    ("1015", |r, _| r.episodes[3].pl_post = s("GU1 1AA")),
    ("164", |r, _| r.episodes[0].pl_post = s("ZZ99 9ZZ")),
    ("169", |r, _| r.episodes[0].pl_post = s("XX1 1XX")),
    ("178", |r, _| r.episodes[0].place_provider = s("PR9")),
    ("179", |r, _| r.episodes[0].pl_post = s("XX1 1XX")),
    ("213", |r, _| r.episodes[0].place = s("T1")),
    ("214", |r, _| r.episodes[0].ls = s("V3")),
    ("218", |r, _| r.episodes[0].urn = None),
    ("219", |r, _| r.episodes[0].place = s("S1")),
    ("221", |r, _| r.episodes[3].pl_post = s("GU1 1AA")),
    ("222", |r, _| r.episodes[0].place = s("P1")),
    ("224", |r, _| r.episodes[0].place_provider = s("PR2")),
    ("227", |r, _| r.episodes[3].urn = s("SC100002")),
    ("228", |r, _| r.episodes[0].urn = s("SC100002")),
    ("229", |r, _| r.episodes[0].urn = s("SC100002")),
    ("241", |r, _| {
        r.episodes[0].place = s("K3");
        r.episodes[0].pl_post = s("GU1 1AA");
    }),
    ("242", |r, _| r.episodes[3].urn = s("XXXXXXX")),
    ("243", |r, _| r.episodes[0].pl_post = s("CF10 1AA")),
    ("371", |r, _| r.episodes[1].place = s("K3")),
    ("372", |r, _| r.episodes[1].place = s("R5")),
    ("373", |r, _| r.episodes[1].place = s("S1")),
    ("374", |r, _| r.episodes[1].place = s("P3")),
    ("375", |r, _| r.episodes[1].place = s("T1")),
    ("376", |r, _| r.episodes[1].place = s("T3")),
    ("377", |r, _| {
        for (from, to) in [((2024, 7, 1), (2024, 7, 5)), ((2024, 8, 1), (2024, 8, 5)), ((2024, 9, 1), (2024, 9, 5))] {
            let mut e = episode("K1", d(from.0, from.1, from.2), "P", "C2", "T3", d(to.0, to.1, to.2), Some("X1"));
            e.place_provider = None;
            r.episodes.push(e);
        }
    }),
    ("379", |r, _| r.episodes[1].place = s("T4")),
    ("392a", |r, _| r.episodes[0].home_post = None),
    ("392b", |r, _| r.episodes[0].home_post = None),
    ("392c", |r, _| r.episodes[0].pl_post = s("XX1 1XX")),
    ("392d", |r, _| r.episodes[0].home_post = s(PLACED)),
    ("398", |r, _| r.episodes[0].ls = s("V3")),
    ("406", |r, _| r.episodes[3].home_post = s(HOME)),
    ("420", |r, _| r.episodes[0].ls = s("V3")),
    ("452", |_, l| l.episodes[0].pl_post = s("GU1 1AA")),
    ("453", |_, l| l.episodes[0].pl_post = s("GU1 1AA")),
    ("454", |r, _| r.episodes[0].pl_post = s("ZZ99 9ZZ")),
    ("503G", |_, l| l.episodes[0].pl_post = s("GU1 1AA")),
    ("503H", |_, l| l.episodes[0].pl_post = s("GU1 1AA")),
    ("503J", |_, l| l.episodes[0].pl_post = s("GU1 1AA")),
    ("526", |r, _| r.episodes[0].place_provider = None),
    ("527", |r, _| r.episodes[0].place = s("R2")),
    ("528", |r, _| {
        r.episodes[0].place = s("R2");
        r.episodes[0].place_provider = s("PR2");
    }),
    ("529", |r, _| r.episodes[0].place_provider = s("PR3")),
    ("530", |r, _| {
        r.episodes[0].place = s("P1");
        r.episodes[0].place_provider = s("PR4");
    }),
    ("531", |r, _| {
        r.episodes[0].place = s("P1");
        r.episodes[0].place_provider = s("PR5");
    }),
    ("550", |r, _| r.episodes[0].place_provider = s("PR0")),
    // Adoption
    ("1003", |r, _| r.placed_adoption[0].date_placed = d(2024, 1, 1)),
    ("112", |r, _| unreadable(r, "AD1", 0, "DATE_INT")),
    ("113", |r, _| unreadable(r, "AD1", 0, "DATE_MATCH")),
    ("114", |r, _| r.ad1[0].foster_care = s("2")),
    ("115", |r, _| unreadable(r, "PlacedAdoption", 0, "DATE_PLACED")),
    ("116", |r, _| unreadable(r, "PlacedAdoption", 0, "DATE_PLACED_CEASED")),
    ("117", |r, _| r.placed_adoption[0].date_placed = d(2026, 1, 1)),
    ("118", |r, _| {
        r.placed_adoption[0].date_placed_ceased = d(2025, 3, 15);
        r.placed_adoption[0].reason_placed_ceased = s("RD1");
    }),
    ("119", |r, _| r.placed_adoption[0].reason_placed_ceased = s("RD1")),
    ("120", |r, _| r.placed_adoption[0].reason_placed_ceased = s("RD9")),
    ("134", |r, _| r.oc3.push(leaver("K2", dob(K2_DOB)))),
    ("151", |r, _| r.ad1[0].nb_adoptr = None),
    ("175", |r, _| r.ad1[0].nb_adoptr = s("3")),
    ("176", |r, _| r.ad1[0].sex_adoptr = s("XX")),
    ("177", |r, _| r.ad1[0].ls_adoptr = s("L9")),
    ("184", |r, _| r.placed_adoption[0].date_placed = d(2021, 1, 1)),
    ("331", |r, _| r.ad1[0].date_match = d(2025, 6, 1)),
    ("333", |r, _| r.ad1[0].date_int = d(2025, 5, 1)),
    ("334", |r, _| r.ad1[0].date_int = d(2024, 1, 1)),
    ("335", |r, _| r.ad1[0].foster_care = s("1")),
    ("336", |r, _| r.episodes[1].place = s("K2")),
    ("511", |r, _| r.ad1[0].sex_adoptr = s("M1")),
    ("514", |r, _| r.ad1[0].ls_adoptr = s("L0")),
    ("517", |r, _| {
        r.ad1[0].ls_adoptr = s("L3");
        r.ad1[0].sex_adoptr = s("MM");
    }),
    ("518", |r, _| r.ad1[0].ls_adoptr = s("L4")),
    ("519", |r, _| {
        r.ad1[0].ls_adoptr = s("L2");
        r.ad1[0].sex_adoptr = s("M1");
    }),
    ("520", |r, _| r.ad1[0].sex_adoptr = s("MM")),
    ("521", |r, _| r.ad1[0].date_int = d(2025, 6, 1)),
    ("522", |r, _| {
        r.placed_adoption[0].date_placed_ceased = d(2025, 2, 1);
        r.placed_adoption[0].reason_placed_ceased = s("RD1");
    }),
    ("523", |r, _| r.placed_adoption[0].date_placed = d(2025, 2, 1)),
    ("524", |r, _| r.ad1[0].ls_adoptr = s("L12")),
    ("525", |r, _| {
        r.placed_adoption[0].date_placed_ceased = d(2025, 4, 10);
        r.placed_adoption[0].reason_placed_ceased = s("RD1");
    }),
    ("551", |r, _| r.placed_adoption[0].date_placed = None),
    ("552", |r, _| r.placed_adoption[0].date_placed = d(2025, 6, 1)),
    ("553", |r, _| r.placed_adoption.clear()),
    ("554", |r, _| r.placed_adoption[0].date_placed = d(2025, 6, 1)),
    ("557", |r, _| r.episodes[2].rec = s("E13")),
    ("558", |r, _| {
        r.placed_adoption[0].date_placed_ceased = d(2025, 4, 1);
        r.placed_adoption[0].reason_placed_ceased = s("RD1");
        let again = r.placed_adoption[0].clone();
        r.placed_adoption.push(again);
    }),
    ("559", |_, l| l.placed_adoption[0].date_placed = None),
    ("560", |_, l| l.placed_adoption[0].date_placed = d(2025, 2, 1)),
    ("561", |_, l| {
        l.placed_adoption[0].date_placed_ceased = d(2025, 3, 10);
        l.placed_adoption[0].reason_placed_ceased = s("RD1");
    }),
    ("563", |r, _| {
        r.placed_adoption[0].date_placed = None;
        r.placed_adoption[0].date_placed_ceased = d(2025, 4, 10);
        r.placed_adoption[0].reason_placed_ceased = s("RD1");
    }),
    ("579", |r, _| {
        let later = PlacedAdoptionRow { date_placed: d(2025, 3, 5), ..r.placed_adoption[0].clone() };
        r.placed_adoption.push(later);
    }),
    ("582", |r, _| r.ad1[0].date_match = d(2025, 12, 1)),
    ("583", |r, _| {
        let earlier = PlacedAdoptionRow { date_placed: d(2025, 2, 1), ..r.placed_adoption[0].clone() };
        r.placed_adoption.push(earlier);
    }),
    ("584", |_, l| {
        l.placed_adoption[0].date_placed_ceased = d(2025, 3, 10);
        l.placed_adoption[0].reason_placed_ceased = s("RD1");
    }),
    ("601", |r, _| r.ad1[0].ls_adoptr = None),
    ("602", |r, _| r.episodes[2].rec = s("E13")),
    // Outcomes, reviews, missing periods and previous permanence
    ("157", |r, _| {
        r.oc2[0].sdq_score = None;
        r.oc2[0].sdq_reason = s("SDQ1");
    }),
    ("158", |r, _| {
        r.oc2[0].intervention_received = s("1");
        r.oc2[0].intervention_offered = s("0");
    }),
    ("159", |r, _| {
        r.oc2[0].substance_misuse = s("1");
        r.oc2[0].intervention_received = s("0");
    }),
    ("166", |r, _| r.reviews[0].review = None),
    ("167", |r, _| r.reviews[0].review_code = s("PN9")),
    ("180", |r, _| r.oc2[0].sdq_score = s("41")),
    ("181", |r, _| r.oc2[0].convicted = s("2")),
    ("182", |r, _| r.oc2[0].immunisations = None),
    ("185", |r, _| k4_outcomes(r).sdq_score = s("10")),
    ("186", |r, _| r.oc2[0].sdq_score = None),
    ("187", |r, _| r.oc3.push(leaver("K1", dob(K1_DOB)))),
    ("188", |r, _| r.oc2[0].dob = d(2023, 1, 1)),
    ("189", |r, _| r.oc2[0].dob = d(2007, 1, 1)),
    ("190", |r, _| k4_outcomes(r).convicted = s("0")),
    ("191", |r, _| r.oc2[0].teeth_check = None),
    ("192", |r, _| r.oc2[0].substance_misuse = s("1")),
    ("193", |r, _| r.oc2[0].intervention_received = s("1")),
    ("196", |r, _| {
        r.oc2[0].sdq_score = None;
        r.oc2[0].sdq_reason = s("SDQ9");
    }),
    ("197B", |r, _| {
        r.oc2[0].dob = d(2021, 6, 1);
        r.oc2[0].sdq_score = None;
    }),
    ("197a", |r, _| r.oc2[0].sdq_reason = s("SDQ2")),
    ("198", |r, _| k4_outcomes(r).sdq_reason = s("SDQ2")),
    ("215", |r, _| r.oc3.push(leaver("K1", dob(K1_DOB)))),
    ("399", |r, _| r.episodes[3].ls = s("V3")),
    ("440", |r, _| r.reviews[0].review_code = s("PN0")),
    ("441", |r, _| r.reviews[2].review_code = s("PN1")),
    ("542", |r, _| r.oc2[0].dob = d(2017, 1, 1)),
    ("543", |r, _| r.oc2[0].convicted = None),
    ("544", |r, _| {
        r.oc2[0].convicted = s("1");
        r.oc2[0].immunisations = None;
    }),
    ("545", |r, _| r.oc2[0].dob = d(2022, 1, 1)),
    ("546", |r, _| r.oc2[0].health_check = s("1")),
    ("547", |r, _| {
        r.oc2[0].health_check = s("1");
        r.oc2[0].teeth_check = None;
    }),
    ("1004", |r, _| r.missing[0].mis_start = None),
    ("1005", |r, _| unreadable(r, "Missing", 0, "MIS_END")),
    ("1006", |r, _| r.missing[0].missing = s("X")),
    ("564", |r, _| r.missing[0].mis_start = None),
    ("565", |r, _| r.missing[0].missing = None),
    ("566", |r, _| r.missing[0].missing = None),
    ("567", |r, _| r.missing[0].mis_end = d(2025, 6, 30)),
    ("570", |r, _| r.missing[0].mis_start = d(2026, 5, 1)),
    ("571", |r, _| r.missing[0].mis_end = d(2026, 5, 1)),
    ("574", |r, _| r.missing.push(missing("K1", dob(K1_DOB), d(2025, 7, 2), d(2025, 7, 5)))),
    ("575", |r, _| r.missing.push(missing("K2", dob(K2_DOB), d(2025, 6, 1), None))),
    ("576", |_, l| l.missing.push(missing("K1", dob(K1_DOB), d(2025, 3, 1), None))),
    ("577", |r, _| r.missing.push(missing("K2", dob(K2_DOB), d(2025, 6, 1), None))),
    ("578", |r, _| r.missing.push(missing("K2", dob(K2_DOB), d(2026, 1, 10), d(2026, 1, 12)))),
    ("580", |r, _| r.missing.push(missing("K2", d(2007, 12, 1), d(2025, 11, 20), d(2025, 12, 1)))),
    ("581", |r, _| r.missing[0].mis_start = d(2024, 1, 1)),
    ("586", |r, _| r.missing[0].dob = d(2025, 8, 1)),
    ("630", |r, _| r.prev_perm.clear()),
    ("631", |r, _| r.prev_perm[0].prev_perm = s("P9")),
    ("632", |r, _| r.prev_perm[0].date_perm = s("01/01/2026")),
    ("633", |r, _| r.prev_perm[0].la_perm = s("123")),
    ("634", |r, _| {
        r.prev_perm.push(PrevPermRow { child: s("K1"), dob: dob(K1_DOB), prev_perm: s("Z1"), ..Default::default() })
    }),
    ("635", |r, _| {
        r.prev_perm[0].prev_perm = None;
        r.prev_perm[0].la_perm = s("314");
    }),
    // The tables together
    ("1012", |r, _| {
        r.reviews.push(ReviewRow { child: s("K3"), dob: dob(K3_DOB), review: d(2025, 6, 1), review_code: s("PN1") })
    }),
    ("EPI", |r, _| r.oc3.clear()),
    ("INT01", |r, _| r.ad1.push(Ad1Row { child: s("K9"), ..r.ad1[0].clone() })),
    ("INT02", |r, _| r.placed_adoption.push(PlacedAdoptionRow { child: s("K9"), ..r.placed_adoption[0].clone() })),
    ("INT03", |r, _| r.episodes.push(EpisodeRow { child: s("K9"), ..r.episodes[0].clone() })),
    ("INT04", |r, _| r.missing.push(MissingRow { child: s("K9"), ..r.missing[0].clone() })),
    ("INT05", |r, _| r.oc2.push(Oc2Row { child: s("K9"), ..r.oc2[0].clone() })),
    ("INT06", |r, _| r.oc3.push(Oc3Row { child: s("K9"), ..r.oc3[0].clone() })),
    ("INT07", |r, _| r.prev_perm.push(PrevPermRow { child: s("K9"), ..r.prev_perm[0].clone() })),
    ("INT08", |r, _| r.reviews.push(ReviewRow { child: s("K9"), ..r.reviews[0].clone() })),
    ("INT09", |r, _| r.uasc.push(UascRow { child: s("K9"), ..r.uasc[0].clone() })),
    ("INT11", |r, _| r.ad1[0].dob = d(2022, 1, 16)),
    ("INT12", |r, _| r.placed_adoption[0].dob = d(2022, 1, 16)),
    ("INT13", |r, _| r.missing[0].dob = d(2012, 5, 11)),
    ("INT14", |r, _| r.oc2[0].dob = d(2012, 5, 11)),
    ("INT15", |r, _| r.oc3[0].dob = d(2006, 9, 2)),
    ("INT16", |r, _| r.prev_perm[0].dob = d(2009, 2, 2)),
    ("INT17", |r, _| r.reviews[0].dob = d(2012, 5, 11)),
    ("INT18", |r, _| r.uasc[0].dob = d(2009, 2, 2)),
    ("INT21", |r, _| r.uasc[0].sex = s("M")),
    ("INT31", |r, _| r.ad1.push(r.ad1[0].clone())),
    ("INT32", |r, _| r.header.push(r.header[0].clone())),
    ("INT33", |r, _| r.oc2.push(r.oc2[0].clone())),
    ("INT34", |r, _| r.oc3.push(r.oc3[0].clone())),
    ("INT35", |r, _| r.prev_perm.push(r.prev_perm[0].clone())),
    ("INT36", |r, _| r.uasc.push(r.uasc[0].clone())),
    ("NoE", |_, l| {
        l.episodes.remove(0);
    }),
    ("562", |_, l| l.episodes[0].decom = d(2024, 5, 1)),
    // Social workers
    ("SW02STG1", |r, _| r.sw_episodes[0].sw_id = s("AB1234")),
    ("SW04STG1", |r, _| unreadable(r, "SWEpisodes", 0, "SW_DECOM")),
    ("SW05STG1", |r, _| unreadable(r, "SWEpisodes", 0, "SW_DEC")),
    ("SW06STG2", |r, _| r.sw_episodes[2].sw_decom = d(2026, 5, 1)),
    ("SW07STG2", |r, _| r.sw_episodes[0].sw_dec = d(2023, 1, 1)),
    ("SW08STG2", |r, _| r.sw_episodes.push(sw("K1", dob(K1_DOB), "SW100009", d(2025, 1, 1)))),
    ("SW09STG2", |r, _| r.sw_episodes[0].sw_dec = d(2024, 6, 2)),
    ("SW10STG2", |r, _| {
        r.sw_episodes[0].sw_dec = d(2025, 1, 1);
        r.sw_episodes.push(SwEpisodeRow { sw_reason: s("MANAGE"), ..sw("K1", dob(K1_DOB), "SW100009", d(2025, 3, 1)) });
    }),
    ("SW10aSTG2", |r, _| {
        r.sw_episodes[0].sw_dec = d(2025, 1, 1);
        r.sw_episodes.push(SwEpisodeRow { sw_reason: s("MANAGE"), ..sw("K1", dob(K1_DOB), "SW100009", d(2025, 3, 1)) });
    }),
    ("SW10bSTG2", |r, _| {
        r.sw_episodes[0].sw_dec = d(2025, 6, 1);
        r.sw_episodes.push(sw("K1", dob(K1_DOB), "SW100009", d(2025, 1, 1)));
    }),
    ("SW11bSTG2", |r, _| r.sw_episodes[0].sw_dec = d(2026, 3, 28)),
    ("SW12STG2", |r, _| {
        r.sw_episodes.remove(0);
    }),
    ("SW13STG1", |r, _| r.sw_episodes[0].sw_reason = s("XXX")),
    ("SW17STG2", |r, _| r.sw_episodes[0].sw_dec = d(2026, 1, 1)),
    ("SW18STG2", |r, _| r.sw_episodes[0].sw_dec = d(2024, 5, 1)),
    ("SW19STG2", |r, _| r.sw_episodes.push(r.sw_episodes[0].clone())),
];

#[test]
fn every_rule_finds_its_fault() {
    let rules = ruleset(CollectionYear(2026)).expect("rules");
    let mut missed = Vec::new();
    for (code, fault) in FAULTS {
        let (mut census, mut last) = (clean(), last_year());
        fault(&mut census, &mut last);
        let found = findings(&census, &last);
        if !found.iter().any(|f| f.rule == *code) {
            missed.push(*code);
        }
        assert!(
            found.iter().all(|f| !CANNOT_FAIL_IN_CSV.contains(&f.rule)),
            "{code}: a rule that cannot fail did: {found:?}"
        );
    }
    assert!(missed.is_empty(), "these rules did not find their fault: {missed:?}");
    let untested: Vec<&str> = rules
        .iter()
        .map(|r| r.code)
        .filter(|c| !CANNOT_FAIL_IN_CSV.contains(c) && !FAULTS.iter().any(|(f, _)| f == c))
        .collect();
    assert!(untested.is_empty(), "rules without a fault: {untested:?}");
}

/// The DoLo rules of 2026-27, each with a clean case and its fault, on K1 (looked after all year
/// in a U1 placement) with an order from June to August 2026.
const DOLO_FAULTS: &[(&str, Fault)] = &[
    ("700", |r, _| r.dolo[0].dolo_start = None),
    ("701", |r, _| unreadable(r, "DoLo", 0, "DOLO_END")),
    ("702", |r, _| r.dolo[0].dolo_end = d(2026, 5, 1)),
    ("703", |r, _| r.dolo[0].dolo_start = d(2027, 5, 1)),
    ("704", |r, _| r.dolo[0].dolo_end = d(2027, 5, 1)),
    ("705", |r, _| r.dolo.push(DoloRow { dolo_start: d(2026, 7, 1), ..r.dolo[0].clone() })),
    ("706", |r, l| l.dolo.push(DoloRow { dolo_start: d(2026, 1, 1), dolo_end: None, ..r.dolo[0].clone() })),
    ("707", |r, _| {
        r.dolo[0].dolo_end = None;
        r.episodes[0].dec = d(2026, 10, 1);
        r.episodes[0].rec = s("E8");
    }),
    ("708", |r, _| r.dolo[0].dob = d(2026, 7, 1)),
    ("709", |r, _| r.episodes[0].place = s("U1")),
    ("710", |r, _| r.episodes[0].place = s("K1")),
];

#[test]
fn the_dolo_rules_of_2027_find_their_faults() {
    let rules: Vec<&Rule> =
        ruleset(CollectionYear(2027)).expect("rules").into_iter().filter(|r| r.code.starts_with('7')).collect();
    assert_eq!(rules.len(), 11);
    assert_eq!(ruleset(CollectionYear(2027)).expect("rules").len(), 327);
    let clean = || {
        let mut r = clean();
        r.episodes[0].place = s("K2");
        r.dolo.push(DoloRow { child: s("K1"), dob: dob(K1_DOB), dolo_start: d(2026, 6, 1), dolo_end: d(2026, 8, 1) });
        r
    };
    let check = |census: &Return, last: &Return| {
        let cx = Context::new(CollectionYear(2027), census, Inputs { last_year: Some(last), ..Default::default() })
            .expect("context");
        check_return(&rules, census, &cx)
    };
    let found = check(&clean(), &Return::default());
    assert!(found.is_empty(), "{found:#?}");
    for (code, fault) in DOLO_FAULTS {
        let (mut census, mut last) = (clean(), Return::default());
        fault(&mut census, &mut last);
        assert!(check(&census, &last).iter().any(|f| f.rule == *code), "{code} did not find its fault");
    }
}
