//! Placements: their types, providers and Ofsted URNs, where they are, and the ages and lengths
//! some placement types allow.

use super::episodes::differs_from_last_year;
use super::*;

const PLACEMENTS: &[&str] = &[
    "A3", "A4", "A5", "A6", "K1", "K2", "K3", "P1", "P3", "R1", "R2", "R3", "R5", "S1", "T0", "T1", "T2", "T3", "T4",
    "U1", "U2", "U3", "U4", "U5", "U6", "Z11", "Z12", "Z13", "Z14",
];
const PLACE_CHANGE_REASONS: &[&str] =
    &["CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO", "CHILD", "LAREQ", "PLACE", "CUSTOD", "OTHER"];
const PROVIDERS: &[&str] = &["PR0", "PR1", "PR2", "PR3", "PR4", "PR5"];
/// Placements that have no provider: temporary placements and those ended by the child's own
/// arrangements.
const WITHOUT_PROVIDER: &[&str] = &["T0", "T1", "T2", "T3", "T4", "Z11", "Z12", "Z13", "Z14"];
/// Placements that have no Ofsted URN.
const WITHOUT_URN: &[&str] = &["P1", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z11", "Z12", "Z13", "Z14"];
/// PL_LA for a placement outside England.
const OUTSIDE_ENGLAND: &[&str] = &["CON", "NIR", "SCO", "WAL", "NUK"];
/// The URN given for a placement through a regional adoption agency.
const AGENCY_URN: &str = "XXXXXXX";

/// An episode's URN when it names a provider (not the agency's placeholder).
fn provider_urn(e: &EpisodeRow) -> Option<&str> {
    e.urn.as_deref().filter(|u| *u != AGENCY_URN)
}

/// Flags the episodes with an Ofsted URN that `bad` holds for, given what Ofsted's lists say of
/// it (nothing, when they do not list it). Runs only when the lists are given.
fn by_provider(c: &CareRecord, x: &Context, out: &mut Vec<At>, bad: impl Fn(&EpisodeRow, Option<&Provider>) -> bool) {
    let Some(providers) = x.providers else { return };
    for e in &c.episodes {
        if let Some(urn) = provider_urn(e) {
            if bad(e, providers.0.get(urn)) {
                out.push(at(Table::Episodes, e));
            }
        }
    }
}

/// Flags the episodes that `bad` holds for, given where the placement was. Runs only with the
/// postcode directory.
fn by_place(c: &CareRecord, x: &Context, out: &mut Vec<At>, bad: impl Fn(&EpisodeRow, Placed) -> bool) {
    for e in &c.episodes {
        if x.placed(e).is_some_and(|p| bad(e, p)) {
            out.push(at(Table::Episodes, e));
        }
    }
}

/// Flags placements of type `place` that began before the child was `years` old.
fn placed_younger_than(c: &CareRecord, place: &str, years: u32, out: &mut Vec<At>) {
    let turned = birthday(c.dob(), years);
    if turned.is_none() {
        return;
    }
    each(&c.episodes, Table::Episodes, out, |e| is(&e.place, &[place]) && e.dec.is_some() && lt(e.decom, turned));
}

/// Flags ended placements of type `place` that lasted more than `days`.
fn placed_longer_than(c: &CareRecord, place: &str, days: i64, out: &mut Vec<At>) {
    if c.dob().is_none() {
        return;
    }
    each(&c.episodes, Table::Episodes, out, |e| {
        is(&e.place, &[place]) && matches!((e.decom, e.dec), (Some(from), Some(to)) if (to - from).num_days() > days)
    });
}

/// Whether two episodes' placements differ as `differs` says; never without the postcode directory.
fn placed_differently(
    x: &Context,
    now: &EpisodeRow,
    then: &EpisodeRow,
    differs: impl Fn(Placed, Placed) -> bool,
) -> bool {
    x.placed(now).zip(x.placed(then)).is_some_and(|(a, b)| differs(a, b))
}

/// Whether the distance from home moved by 0.2 miles or more, or is known now and was not before.
fn distance_moved(now: Placed, then: Placed) -> bool {
    match (now.distance, then.distance) {
        (Some(a), Some(b)) => (a - b).abs() >= 0.2,
        (Some(_), None) => true,
        _ => false,
    }
}

/// Whether the child was UASC this year or last.
fn was_uasc(c: &CareRecord, x: &Context) -> bool {
    c.is_uasc() || x.last_year(c.child).flatten().is_some_and(|l| l.is_uasc())
}

/// This year's first episode and last year's latest, when last year's was still open and this
/// one carries it on (the same reason for new episode).
pub(super) fn continued_from_last_year<'a>(
    c: &CareRecord<'a>,
    x: &'a Context,
) -> Option<(Row<'a, EpisodeRow>, &'a EpisodeRow)> {
    let first = c.first_episode()?;
    let before = x.last_year(c.child)??.last_episode()?;
    (before.dec.is_none() && first.rne == before.rne).then_some((first, before.row))
}

pub(super) const RULES: &[Rule] = &[
    rule("146", "Placement type code is not a valid code.", &["PLACE"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| not_in(&e.place, PLACEMENTS));
    }),
    rule("1008", "Ofsted Unique Reference Number (URN) is not valid.", &["URN"], |c, x, out| {
        by_provider(c, x, out, |_, provider| provider.is_none());
    }),
    rule("1009", "Reason for placement change is not a valid code.", &["REASON_PLACE_CHANGE"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| not_in(&e.reason_place_change, PLACE_CHANGE_REASONS));
    }),
    rule("1015", "Placement provider is own provision but child not placed in own LA.", &["PL_LA"], |c, x, out| {
        let Some(own) = x.local_authority else { return };
        const ELSEWHERE_ALLOWED: &[&str] = &["A3", "A4", "A5", "A6", "U1", "U2", "U3", "U4", "U5", "U6", "K3"];
        by_place(c, x, out, |e, placed| {
            e.ls.is_some()
                && e.place.is_some()
                && !is(&e.place, ELSEWHERE_ALLOWED)
                && !is(&e.ls, SHORT_BREAKS)
                && is(&e.place_provider, &["PR1"])
                && placed.local_authority != Some(own)
        });
    }),
    rule("164", "Distance is not valid. Please check a valid postcode has been entered. [NOTE: This check will result in false positives for children formerly UASC not identified as such in loaded data]",
        &["PL_DISTANCE"], |c, x, out| {
        if was_uasc(c, x) {
            return;
        }
        by_place(c, x, out, |_, placed| placed.distance.is_some_and(|d| !(0.0..=999.9).contains(&d)));
    }),
    rule("169", "Local Authority (LA) of placement is not valid or is missing. Please check a valid postcode has been entered.", &["PL_LA"], |c, x, out| {
        by_place(c, x, out, |e, placed| !is(&e.ls, SHORT_BREAKS) && placed.local_authority.is_none());
    }),
    rule("178", "Placement provider code is not a valid code.", &["PLACE_PROVIDER"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| {
            // The DfE's list for this rule leaves out T4.
            const NO_PROVIDER: &[&str] = &["T0", "T1", "T2", "T3", "Z11", "Z12", "Z13", "Z14"];
            e.place_provider.is_some() && (!is(&e.place_provider, PROVIDERS) || is(&e.place, NO_PROVIDER))
        });
    }),
    rule("179", "Placement location code is not a valid code.", &["PL_LOCATION"], |c, x, out| {
        by_place(c, x, out, |e, placed| !is(&e.ls, SHORT_BREAKS) && placed.inside.is_none());
    }),
    rule("213", "Placement provider information not required.", &["PLACE_PROVIDER"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| is(&e.place, WITHOUT_PROVIDER) && e.place_provider.is_some());
    }),
    rule("214", "Placement location information not required.", &["PL_POST", "URN"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| is(&e.ls, SHORT_BREAKS) && (e.pl_post.is_some() || e.urn.is_some()));
    }),
    rule("218", "Ofsted Unique reference number (URN) is required.", &["URN"], |c, x, out| {
        // Without the postcode directory a placement is taken to be in England.
        let outside_england = |e: &EpisodeRow| {
            x.placed(e).and_then(|p| p.local_authority).is_some_and(|la| OUTSIDE_ENGLAND.contains(&la))
        };
        let ends_in_year = |e: &Row<EpisodeRow>| ge(e.dec, Some(x.start)) || (e.dec.is_none() && !x.unreadable(Table::Episodes, e.at, "DEC"));
        let needs_urn = |e: &Row<EpisodeRow>| {
            ends_in_year(e) && e.urn.is_none() && !is(&e.place, WITHOUT_URN) && !outside_england(e)
        };
        out.extend(c.episodes.iter().filter(|e| needs_urn(e)).map(|e| at(Table::Episodes, e)));
    }),
    rule("219", "The Ofsted Unique reference number (URN) provided for the child's placement does not match the placement type recorded.",
        &["URN", "PLACE"], |c, x, out| {
        by_provider(c, x, out, |e, provider| {
            !matches!((e.place.as_deref(), provider), (Some(place), Some(p)) if p.place_codes.iter().any(|c| c == place))
        });
    }),
    rule("221", "The Ofsted Unique reference number (URN) provided for the child's placement does not match the placement postcode provided.",
        &["PL_POST"], |c, x, out| {
        by_provider(c, x, out, |e, provider| {
            let checked = !is(&e.ls, SHORT_BREAKS) && is(&e.place, &["K1", "K2", "K3", "R3", "S1"]);
            let postcode = e.pl_post.as_deref().map(|p| p.replace(' ', ""));
            checked && postcode.is_some() && postcode.as_deref() != provider.and_then(|p| p.postcode.as_deref())
        });
    }),
    rule("222", "Ofsted Unique reference number (URN) should not be recorded for this placement type.", &["URN"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| is(&e.place, WITHOUT_URN) && provider_urn(e).is_some());
    }),
    rule("224", "The Ofsted Unique reference number (URN) provided for the child's placement does not match the placement provider recorded.",
        &["PLACE_PROVIDER"], |c, x, out| {
        by_provider(c, x, out, |e, provider| {
            !matches!((e.place_provider.as_deref(), provider), (Some(kind), Some(p)) if p.provider_codes.iter().any(|c| c == kind))
        });
    }),
    rule("227", "Ofsted Unique reference number (URN) is not valid for the episode start date.", &["URN", "DECOM"], |c, x, out| {
        by_provider(c, x, out, |e, provider| provider.is_some_and(|p| ge(e.decom, p.registration_ended)));
    }),
    rule("228", "Ofsted Unique reference number (URN) is not valid for the episode end date [NOTE: may give false positives on open episodes at providers who close during the year]",
        &["URN", "DEC"], |c, x, out| {
        by_provider(c, x, out, |e, provider| {
            provider.and_then(|p| p.registration_ended).is_some_and(|ended| e.dec.unwrap_or(x.end) > ended)
        });
    }),
    rule("229", "Placement provider does not match between the placing authority and the local authority code of the provider. [NOTE: The provider's LA code is inferred from the its postcode, and may be inaccurate in some cases.]",
        &["URN", "PLACE_PROVIDER"], |c, x, out| {
        let Some(own) = x.local_authority else { return };
        const NOT_CHECKED: &[&str] =
            &["K3", "P1", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z11", "Z12", "Z13", "Z14"];
        by_provider(c, x, out, |e, provider| {
            let provider_la = provider.and_then(|p| p.local_authority.as_deref());
            !is(&e.place, NOT_CHECKED)
                && ((is(&e.place_provider, &["PR1"]) && provider_la != Some(own))
                    || (is(&e.place_provider, &["PR2"]) && provider_la == Some(own)))
        });
    }),
    rule("241", "LA of placement is not an LA the provider has premises.", &["URN"], |c, x, out| {
        let Some(own) = x.local_authority else { return };
        by_place(c, x, out, |e, placed| {
            provider_urn(e).is_some() && is(&e.place, &["K3"]) && placed.local_authority != Some(own)
        });
    }),
    rule("242", "URN = 'XXXXXXX' can only be used for regional adoption agencies", &["URN"], |c, _, out| {
        const AGENCY_PLACEMENTS: &[&str] = &["A3", "A4", "A5", "A6", "U1", "U2", "U3", "U4", "U5", "U6"];
        each(&c.episodes, Table::Episodes, out, |e| e.urn.as_deref() == Some(AGENCY_URN) && !is(&e.place, AGENCY_PLACEMENTS));
    }),
    rule("243", "Only placements with providers registered with Ofsted should have a URN reported.", &["URN"], |c, x, out| {
        by_place(c, x, out, |e, placed| {
            e.urn.is_some() && placed.local_authority.is_some_and(|la| OUTSIDE_ENGLAND.contains(&la))
        });
    }),
    rule("371", "Child in supported accomodation not subject to children’s homes regulations should be at least 16.", &["DECOM", "PLACE"], |c, _, out| {
        placed_younger_than(c, "K3", 16, out);
    }),
    rule("372", "Child in youth custody or prison should be at least 10.", &["DECOM", "PLACE"], |c, _, out| {
        placed_younger_than(c, "R5", 10, out);
    }),
    rule("373", "Child placed in a school should be at least 4 years old.", &["DECOM", "PLACE"], |c, _, out| {
        placed_younger_than(c, "S1", 4, out);
    }),
    rule("374", "Child in residential employment should be at least 14 years old.", &["DECOM", "PLACE"], |c, _, out| {
        placed_younger_than(c, "P3", 14, out);
    }),
    rule("375", "Hospitalisation coded as a temporary placement exceeds six weeks.", &["DECOM", "PLACE"], |c, _, out| {
        placed_longer_than(c, "T1", 42, out);
    }),
    rule("376", "Temporary placements coded as being due to holiday of usual foster carer(s) cannot exceed three weeks.", &["DECOM", "PLACE"], |c, _, out| {
        placed_longer_than(c, "T3", 21, out);
    }),
    rule("377", "Only two temporary placements coded as being due to holiday of usual foster carer(s) are allowed in any 12- month period.",
        &["PLACE"], |c, _, out| {
        if c.episodes.iter().filter(|e| is(&e.place, &["T3"])).count() > 2 {
            each(&c.episodes, Table::Episodes, out, |e| is(&e.place, &["T3"]));
        }
    }),
    rule("379", "Temporary placements for unspecified reason (placement code T4) cannot exceed seven days.", &["DECOM", "PLACE"], |c, _, out| {
        placed_longer_than(c, "T4", 7, out);
    }),
    rule("392a", "Child is looked after but no distance is recorded. [NOTE: This check may result in false positives for children formerly UASC]",
        &["PL_DISTANCE"], |c, x, out| {
        if was_uasc(c, x) {
            return;
        }
        by_place(c, x, out, |e, placed| !is(&e.ls, SHORT_BREAKS) && placed.distance.is_none());
    }),
    rule("392b", "Child is looked after but no postcodes are recorded. [NOTE: This check may result in false positives for children formerly UASC, particularly if current & prior year UASC data not loaded]",
        &["HOME_POST", "PL_POST"], |c, x, out| {
        if was_uasc(c, x) {
            return;
        }
        each(&c.episodes, Table::Episodes, out, |e| !is(&e.ls, SHORT_BREAKS) && (e.home_post.is_none() || e.pl_post.is_none()));
    }),
    rule("392c", "Postcode(s) provided are invalid.", &["HOME_POST", "PL_POST"], |c, x, out| {
        let Some(postcodes) = x.postcodes else { return };
        let unknown = |p: &Option<String>| p.as_deref().is_some_and(|p| postcodes.find(p).is_none());
        each(&c.episodes, Table::Episodes, out, |e| unknown(&e.home_post) || unknown(&e.pl_post));
    }),
    rule("392d", "Home and placement postcodes should not be same unless the placement type is P1.", &["HOME_POST", "PL_POST", "PLACE"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| !is(&e.place, &["P1"]) && e.home_post.is_some() && e.home_post == e.pl_post);
    }),
    rule("398", "Distance field completed but child looked after under legal status V3 or V4.", &["LS", "HOME_POST", "PL_POST"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| is(&e.ls, SHORT_BREAKS) && (e.home_post.is_some() || e.pl_post.is_some()));
    }),
    rule("406", "Child is Unaccompanied Asylum-Seeking Child (UASC) or was formerly UASC. Distance should be blank. [NOTE: This check will result in false negatives for children formerly UASC not identified as such in loaded data]",
        &["PL_DISTANCE"], |c, x, out| {
        if was_uasc(c, x) {
            by_place(c, x, out, |_, placed| placed.distance.is_some());
        }
    }),
    rule("411", "Placement location code disagrees with LA of placement.", &["PL_LOCATION"], |c, x, out| {
        let Some(own) = x.local_authority else { return };
        by_place(c, x, out, |_, placed| placed.inside == Some(true) && placed.local_authority != Some(own));
    }),
    rule("420", "LA of placement completed but child is looked after under legal status V3 or V4.", &["PL_LA"], |c, x, out| {
        by_place(c, x, out, |e, placed| is(&e.ls, SHORT_BREAKS) && placed.local_authority.is_some());
    }),
    rule("452", "Contradiction between local authority of placement code in the last episode of the previous year and in the first episode of the current year.",
        &["PL_LA"], |c, x, out| {
        let Some((first, before)) = continued_from_last_year(c, x) else { return };
        if placed_differently(x, &first, before, |now, then| now.local_authority != then.local_authority) {
            out.push(at(Table::Episodes, &first));
        }
    }),
    rule("453", "Contradiction between placement distance in the last episode of the previous year and in the first episode of the current year.",
        &["PL_DISTANCE"], |c, x, out| {
        let Some((first, before)) = continued_from_last_year(c, x) else { return };
        if placed_differently(x, &first, before, distance_moved) {
            out.push(at(Table::Episodes, &first));
        }
    }),
    rule("454", "Placement distance from home is over 350 miles. [NOTE: This check will result in false positives for children formerly UASC not identified as such in loaded data]",
        &["PL_DISTANCE"], |c, x, out| {
        by_place(c, x, out, |_, placed| placed.distance.is_some_and(|d| d > 350.0 && d != 999.9));
    }),
    rule("503G", "The distance in first episode does not match open episode at end of last year.", &["PL_DISTANCE"], |c, x, out| {
        differs_from_last_year(c, x, out, |now, then| placed_differently(x, now, then, distance_moved));
    }),
    rule("503H", "The placement LA in first episode does not match open episode at end of last year.", &["PL_LA"], |c, x, out| {
        differs_from_last_year(c, x, out, |now, then| {
            placed_differently(x, now, then, |a, b| a.local_authority != b.local_authority)
        });
    }),
    rule("503J", "The placement location in first episode does not match open episode at end of last year.", &["PL_LOCATION"], |c, x, out| {
        differs_from_last_year(c, x, out, |now, then| placed_differently(x, now, then, |a, b| a.inside != b.inside));
    }),
    rule("526", "Child is missing a placement provider code for at least one episode.", &["PLACE", "PLACE_PROVIDER"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| !is(&e.place, WITHOUT_PROVIDER) && e.place_provider.is_none());
    }),
    rule("527", "A placement provider code of PR1 cannot be associated with placements P1, R2 or R5.", &["PLACE", "PLACE_PROVIDER"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| is(&e.place, &["P1", "R2", "R5"]) && is(&e.place_provider, &["PR1"]));
    }),
    rule("528", "A placement provider code of PR2 cannot be associated with placements P1, R2 or R5.", &["PLACE", "PLACE_PROVIDER"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| is(&e.place, &["P1", "R2", "R5"]) && is(&e.place_provider, &["PR2"]));
    }),
    rule("529", "Placement provider code of PR3 cannot be associated with placements P1, A3 to A6, K1, K2 and U1 to U6 as these placements cannot be provided by other public organisations.",
        &["PLACE", "PLACE_PROVIDER"], |c, _, out| {
        const NOT_PUBLIC: &[&str] = &["A3", "A4", "A5", "A6", "K1", "K2", "P1", "U1", "U2", "U3", "U4", "U5", "U6"];
        each(&c.episodes, Table::Episodes, out, |e| is(&e.place, NOT_PUBLIC) && is(&e.place_provider, &["PR3"]));
    }),
    rule("530", "A placement provider code of PR4 cannot be associated with placement P1.", &["PLACE", "PLACE_PROVIDER"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| is(&e.place, &["P1"]) && is(&e.place_provider, &["PR4"]));
    }),
    rule("531", "A placement provider code of PR5 cannot be associated with placements P1.", &["PLACE", "PLACE_PROVIDER"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| is(&e.place, &["P1"]) && is(&e.place_provider, &["PR5"]));
    }),
    rule("550", "A placement provider code of PR0 can only be associated with placement P1.", &["PLACE", "PLACE_PROVIDER"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| !is(&e.place, &["P1"]) && is(&e.place_provider, &["PR0"]));
    }),
];
