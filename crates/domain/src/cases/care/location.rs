//! Where a placement is, seen from the child's home: inside or outside the council, and how far,
//! as 903 and Annex A report them. Worked out from the postcodes, never typed.

use crate::org::{miles_between, DistrictCentre, PostcodeDistrict};

/// A placement's place relative to the child's home.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct PlacementLocation {
    /// Whether the placement's postcode is in the child's council; unknown without a postcode.
    pub inside_council: Option<bool>,
    /// District centre to district centre, in miles; unknown without both postcodes and both
    /// districts in the gazetteer.
    pub distance_miles: Option<f64>,
}

/// Where a placement at `placed` is, for a child whose home was `home`, in a council covering
/// `council_districts`; `centre` looks a district up in the gazetteer.
pub fn placement_location(
    home: Option<&str>,
    placed: Option<&str>,
    council_districts: &[PostcodeDistrict],
    centre: impl Fn(&PostcodeDistrict) -> Option<DistrictCentre>,
) -> PlacementLocation {
    let placed = placed.and_then(PostcodeDistrict::of);
    let home = home.and_then(PostcodeDistrict::of);
    let inside_council = placed.as_ref().map(|d| council_districts.contains(d));
    let distance_miles = match (home.as_ref().and_then(&centre), placed.as_ref().and_then(&centre)) {
        (Some(h), Some(p)) => Some(miles_between(h, p)),
        _ => None,
    };
    PlacementLocation { inside_council, distance_miles }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gazetteer(d: &PostcodeDistrict) -> Option<DistrictCentre> {
        match d.as_str() {
            "KT1" => Some(DistrictCentre { latitude: 51.41, longitude: -0.30 }),
            "KT3" => Some(DistrictCentre { latitude: 51.40, longitude: -0.258 }),
            "RG1" => Some(DistrictCentre { latitude: 51.455, longitude: -0.972 }),
            _ => None,
        }
    }

    fn kingston() -> Vec<PostcodeDistrict> {
        ["KT1", "KT2", "KT3"].iter().map(|d| PostcodeDistrict::parse(d).expect("district")).collect()
    }

    #[test]
    fn a_placement_in_the_councils_districts_is_inside_and_near() {
        let at = placement_location(Some("KT1 1EU"), Some("kt3 4ab"), &kingston(), gazetteer);
        assert_eq!(at.inside_council, Some(true));
        let miles = at.distance_miles.expect("both districts known");
        assert!(miles > 0.0 && miles < 3.0, "{miles}");
    }

    #[test]
    fn a_placement_in_another_councils_area_is_outside_and_far() {
        let at = placement_location(Some("KT1 1EU"), Some("RG1 2CD"), &kingston(), gazetteer);
        assert_eq!(at.inside_council, Some(false));
        assert!(at.distance_miles.expect("known") > 25.0);
    }

    #[test]
    fn without_a_postcode_or_a_gazetteer_entry_nothing_is_guessed() {
        let at = placement_location(Some("KT1 1EU"), None, &kingston(), gazetteer);
        assert_eq!(at, PlacementLocation::default());
        let at = placement_location(Some("KT1 1EU"), Some("ZE2 9XX"), &kingston(), gazetteer);
        assert_eq!((at.inside_council, at.distance_miles), (Some(false), None), "Shetland is not in the gazetteer");
        let at = placement_location(None, Some("KT3"), &kingston(), gazetteer);
        assert_eq!(
            (at.inside_council, at.distance_miles),
            (Some(true), None),
            "an outward code alone is enough to place"
        );
    }
}
