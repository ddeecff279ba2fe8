//! Where postcode districts are: each district's centre, from a gazetteer loaded by an admin (the
//! ONS postcode directory, averaged by district), so that distances can be worked out without a
//! map service. A district missing from the gazetteer gives no distance rather than a guess.

use super::PostcodeDistrict;

/// The centre of a postcode district, in degrees (WGS84).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DistrictCentre {
    pub latitude: f64,
    pub longitude: f64,
}

/// Reads one gazetteer row: a district and its centre, which must lie in the UK.
pub fn parse_district_centre(
    district: &str,
    latitude: &str,
    longitude: &str,
) -> Result<(PostcodeDistrict, DistrictCentre), String> {
    let district = PostcodeDistrict::parse(district)?;
    let degrees = |text: &str, what: &str, range: std::ops::RangeInclusive<f64>| -> Result<f64, String> {
        let value: f64 = text.trim().parse().map_err(|_| format!("the {what} '{}' is not a number", text.trim()))?;
        if !range.contains(&value) {
            return Err(format!("the {what} {value} is outside the UK ({} to {})", range.start(), range.end()));
        }
        Ok(value)
    };
    let latitude = degrees(latitude, "latitude", 49.0..=61.0)?;
    let longitude = degrees(longitude, "longitude", -9.0..=2.0)?;
    Ok((district, DistrictCentre { latitude, longitude }))
}

/// A problem with one line of a file: its line number and what is wrong.
pub type LineProblem = (usize, String);

/// Reads a gazetteer CSV with the header `district,latitude,longitude`: every row, or every
/// problem with its line number, so that a file with one bad row loads nothing.
pub fn parse_gazetteer(text: &str) -> Result<Vec<(PostcodeDistrict, DistrictCentre)>, Vec<LineProblem>> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let header: Vec<String> = match lines.next() {
        Some((_, h)) => h.trim_start_matches('\u{feff}').split(',').map(|c| c.trim().to_ascii_lowercase()).collect(),
        None => return Err(vec![(1, "the file is empty; expected the header district,latitude,longitude".into())]),
    };
    if header != ["district", "latitude", "longitude"] {
        return Err(vec![(1, format!("the header is '{}'; expected district,latitude,longitude", header.join(",")))]);
    }
    let (mut rows, mut problems) = (Vec::new(), Vec::new());
    for (n, line) in lines {
        let cells: Vec<&str> = line.split(',').map(|c| c.trim().trim_matches('"')).collect();
        let read = match cells.as_slice() {
            [district, latitude, longitude] => parse_district_centre(district, latitude, longitude),
            _ => Err(format!("expected 3 columns, found {}", cells.len())),
        };
        match read {
            Ok(row) => rows.push(row),
            Err(problem) => problems.push((n + 1, problem)),
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

/// The great-circle distance between two points in miles, to one decimal place (as 903
/// PL_DISTANCE is given).
pub fn miles_between(a: DistrictCentre, b: DistrictCentre) -> f64 {
    const EARTH_RADIUS_MILES: f64 = 3958.8;
    let (la1, la2) = (a.latitude.to_radians(), b.latitude.to_radians());
    let dla = la2 - la1;
    let dlo = (b.longitude - a.longitude).to_radians();
    let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
    let miles = 2.0 * EARTH_RADIUS_MILES * h.sqrt().asin();
    (miles * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_are_great_circle_miles_to_one_decimal() {
        let kingston = DistrictCentre { latitude: 51.41, longitude: -0.30 };
        let reading = DistrictCentre { latitude: 51.455, longitude: -0.972 };
        let miles = miles_between(kingston, reading);
        assert!((28.0..=30.0).contains(&miles), "Kingston to Reading is about 29 miles, got {miles}");
        assert_eq!(miles, (miles * 10.0).round() / 10.0);
        assert_eq!(miles_between(kingston, kingston), 0.0);
        assert_eq!(miles_between(kingston, reading), miles_between(reading, kingston));
    }

    #[test]
    fn a_gazetteer_file_names_each_bad_line_and_loads_nothing_then() {
        let good = "District,Latitude,Longitude\nKT1,51.41,-0.30\n\nRG1,51.455,-0.972\n";
        assert_eq!(parse_gazetteer(good).expect("valid").len(), 2);
        let bad = "district,latitude,longitude\nKT1,51.41,-0.30\nKT1 2AB,51,0\nRG1,51.4\n";
        let problems = parse_gazetteer(bad).expect_err("two bad lines");
        assert_eq!(problems.iter().map(|(n, _)| *n).collect::<Vec<_>>(), vec![3, 4]);
        assert!(problems[1].1.contains("expected 3 columns"));
        assert_eq!(parse_gazetteer("postcode,lat\n").expect_err("header")[0].0, 1);
        assert!(parse_gazetteer("").is_err());
    }

    #[test]
    fn gazetteer_rows_are_checked_field_by_field() {
        let (district, centre) = parse_district_centre("kt1", "51.41", " -0.30 ").expect("valid");
        assert_eq!((district.as_str(), centre.latitude), ("KT1", 51.41));
        assert!(parse_district_centre("KT1 2AB", "51", "0").is_err(), "a whole postcode is not a district");
        assert!(parse_district_centre("KT1", "north", "0").expect_err("text").contains("latitude 'north'"));
        assert!(parse_district_centre("KT1", "40.7", "0").expect_err("New York").contains("outside the UK"));
        assert!(parse_district_centre("KT1", "51", "12").expect_err("Berlin").contains("longitude"));
    }
}
