//! The CIN census XML: written in the DfE's element order with `0`/`1` flags, and read as a
//! stream, one child at a time, from files of any size.

use crate::text::decoded;
use canopy_domain::on_cores::map_on_cores;
use canopy_domain::returns::cin::{
    CinAssessment, CinChild, CinDetails, CinHeader, CinPlan, CinProtectionPlan, CinReturn, CinSection47, Unreadable,
};
use chrono::{Datelike, NaiveDate};
use quick_xml::events::Event as Xml;
use std::io::{self, BufRead, Write};

/// Why a file could not be read as a CIN census, and where.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CinReadError {
    #[error("line {line}: the XML is malformed: {message}")]
    Malformed { line: u64, message: String },
    #[error("line {line}: <{element}> is not where the CIN census puts it (inside <{parent}>)")]
    Misplaced { line: u64, element: String, parent: String },
    #[error("the file is not a CIN census: it has no <Message> with a <Header>")]
    NotACensus,
    #[error("the file could not be read: {0}")]
    Io(String),
}

fn date(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(s)
}

struct Writer<W: Write> {
    out: W,
    depth: usize,
}

impl<W: Write> Writer<W> {
    // Written piece by piece rather than through `write!`: a census has millions of elements.
    fn indent(&mut self) -> io::Result<()> {
        const SPACES: &[u8] = &[b' '; 64];
        let mut left = self.depth * 2;
        while left > 0 {
            let n = left.min(SPACES.len());
            self.out.write_all(&SPACES[..n])?;
            left -= n;
        }
        Ok(())
    }

    fn tag(&mut self, open: &[u8], name: &str, end: &[u8]) -> io::Result<()> {
        self.out.write_all(open)?;
        self.out.write_all(name.as_bytes())?;
        self.out.write_all(end)
    }

    fn open(&mut self, name: &str) -> io::Result<()> {
        self.indent()?;
        self.tag(b"<", name, b">\n")?;
        self.depth += 1;
        Ok(())
    }

    fn close(&mut self, name: &str) -> io::Result<()> {
        self.depth -= 1;
        self.indent()?;
        self.tag(b"</", name, b">\n")
    }

    /// An element with text, left out when there is no value.
    fn field(&mut self, name: &str, value: Option<&str>) -> io::Result<()> {
        let Some(v) = value else { return Ok(()) };
        self.indent()?;
        self.tag(b"<", name, b">")?;
        self.out.write_all(escape(v).as_bytes())?;
        self.tag(b"</", name, b">\n")
    }

    fn date(&mut self, name: &str, value: Option<NaiveDate>) -> io::Result<()> {
        match value {
            Some(d) if (0..=9999).contains(&d.year()) => {
                let (year, month, day) = (d.year() as u32, d.month(), d.day());
                let digit = |n: u32| b'0' + (n % 10) as u8;
                let text = [
                    digit(year / 1000),
                    digit(year / 100),
                    digit(year / 10),
                    digit(year),
                    b'-',
                    digit(month / 10),
                    digit(month),
                    b'-',
                    digit(day / 10),
                    digit(day),
                ];
                self.field(name, std::str::from_utf8(&text).ok())
            }
            other => self.field(name, date(other).as_deref()),
        }
    }
}

/// Writes the whole return.
pub fn write_cin(census: &CinReturn, out: impl Write) -> io::Result<()> {
    let mut w = Writer { out, depth: 0 };
    writeln!(w.out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    w.open("Message")?;
    write_header(&mut w, &census.header)?;
    w.open("Children")?;
    // The children are put into XML on all the cores, a few hundred at a time, and written in order.
    let depth = w.depth;
    let parts: Vec<&[CinChild]> = census.children.chunks(256).collect();
    for part in map_on_cores(&parts, |children| {
        let mut part = Writer { out: Vec::new(), depth };
        children.iter().try_for_each(|child| write_child(&mut part, child)).map(|()| part.out)
    }) {
        w.out.write_all(&part?)?;
    }
    w.close("Children")?;
    w.close("Message")?;
    w.out.flush()
}

fn write_header<W: Write>(w: &mut Writer<W>, h: &CinHeader) -> io::Result<()> {
    w.open("Header")?;
    w.open("CollectionDetails")?;
    w.field("Collection", h.collection.as_deref())?;
    w.field("Year", h.year.as_deref())?;
    w.date("ReferenceDate", h.reference_date)?;
    w.close("CollectionDetails")?;
    w.open("Source")?;
    w.field("SourceLevel", h.source_level.as_deref())?;
    w.field("LEA", h.lea.as_deref())?;
    w.field("SoftwareCode", h.software_code.as_deref())?;
    w.field("Release", h.release.as_deref())?;
    w.field("SerialNo", h.serial_no.as_deref())?;
    w.field("DateTime", h.date_time.as_deref())?;
    w.close("Source")?;
    w.close("Header")
}

fn write_child<W: Write>(w: &mut Writer<W>, c: &CinChild) -> io::Result<()> {
    w.open("Child")?;
    w.open("ChildIdentifiers")?;
    w.field("LAchildID", c.la_child_id.as_deref())?;
    w.field("UPN", c.upn.as_deref())?;
    w.field("FormerUPN", c.former_upn.as_deref())?;
    w.field("UPNunknown", c.upn_unknown.as_deref())?;
    w.date("PersonBirthDate", c.birth_date)?;
    w.date("ExpectedPersonBirthDate", c.expected_birth_date)?;
    w.field("Sex", c.sex.as_deref())?;
    w.date("PersonDeathDate", c.death_date)?;
    w.close("ChildIdentifiers")?;
    w.open("ChildCharacteristics")?;
    w.field("Ethnicity", c.ethnicity.as_deref())?;
    if !c.disabilities.is_empty() {
        w.open("Disabilities")?;
        for d in &c.disabilities {
            w.field("Disability", Some(d))?;
        }
        w.close("Disabilities")?;
    }
    w.close("ChildCharacteristics")?;
    for d in &c.details {
        write_details(w, d)?;
    }
    w.close("Child")
}

fn write_details<W: Write>(w: &mut Writer<W>, d: &CinDetails) -> io::Result<()> {
    w.open("CINdetails")?;
    w.date("CINreferralDate", d.referral_date)?;
    w.field("ReferralSource", d.referral_source.as_deref())?;
    w.field("PrimaryNeedCode", d.primary_need.as_deref())?;
    w.date("CINclosureDate", d.closure_date)?;
    w.field("ReasonForClosure", d.reason_for_closure.as_deref())?;
    w.date("DateOfInitialCPC", d.date_of_initial_cpc)?;
    for a in &d.assessments {
        w.open("Assessments")?;
        w.date("AssessmentActualStartDate", a.start)?;
        w.date("AssessmentInternalReviewDate", a.internal_review)?;
        w.date("AssessmentAuthorisationDate", a.authorised)?;
        if !a.factors.is_empty() {
            w.open("FactorsIdentifiedAtAssessment")?;
            for f in &a.factors {
                w.field("AssessmentFactors", Some(f))?;
            }
            w.close("FactorsIdentifiedAtAssessment")?;
        }
        w.close("Assessments")?;
    }
    for p in &d.cin_plans {
        w.open("CINPlanDates")?;
        w.date("CINPlanStartDate", p.start)?;
        w.date("CINPlanEndDate", p.end)?;
        w.close("CINPlanDates")?;
    }
    for s in &d.section47s {
        w.open("Section47")?;
        w.date("S47ActualStartDate", s.start)?;
        w.field("InitialCPCtarget", s.icpc_target.as_deref())?;
        w.date("DateOfInitialCPC", s.date_of_initial_cpc)?;
        w.field("ICPCnotRequired", s.icpc_not_required.as_deref())?;
        w.close("Section47")?;
    }
    w.field("ReferralNFA", d.referral_nfa.as_deref())?;
    for p in &d.cp_plans {
        w.open("ChildProtectionPlans")?;
        w.date("CPPstartDate", p.start)?;
        w.date("CPPendDate", p.end)?;
        w.field("InitialCategoryOfAbuse", p.initial_category.as_deref())?;
        w.field("LatestCategoryOfAbuse", p.latest_category.as_deref())?;
        w.field("NumberOfPreviousCPP", p.number_of_previous.as_deref())?;
        for r in &p.reviews {
            w.open("Reviews")?;
            w.date("CPPreviewDate", *r)?;
            w.close("Reviews")?;
        }
        w.close("ChildProtectionPlans")?;
    }
    w.close("CINdetails")
}

/// Counts the lines of what the XML reader has consumed, so that errors can say where.
struct Lines<R> {
    inner: R,
    line: u64,
}

impl<R: BufRead> io::Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.line += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Lines<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let amt = amt.min(buf.len());
            self.line += buf[..amt].iter().filter(|b| **b == b'\n').count() as u64;
        }
        self.inner.consume(amt)
    }
}

/// What is being read: the innermost record open.
#[derive(Default)]
struct Partial {
    header: CinHeader,
    seen_message: bool,
    seen_header: bool,
    child: Option<CinChild>,
}

impl Partial {
    fn details(&mut self) -> Option<&mut CinDetails> {
        self.child.as_mut().and_then(|c| c.details.last_mut())
    }
}

/// Reads a census, handing each child to `on_child` as soon as it is complete, and returns the
/// header. `on_child` may stop the read by returning an error, which is passed back.
pub fn read_cin<E: From<CinReadError>>(
    input: impl BufRead,
    mut on_child: impl FnMut(CinChild) -> Result<(), E>,
) -> Result<CinHeader, E> {
    let mut reader = quick_xml::Reader::from_reader(Lines { inner: input, line: 1 });
    reader.config_mut().trim_text(true);
    let mut buf = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut state = Partial::default();
    loop {
        let event = reader.read_event_into(&mut buf);
        let line = reader.get_ref().line;
        let malformed = |message: String| CinReadError::Malformed { line, message };
        match event {
            Err(e) => return Err(malformed(e.to_string()).into()),
            Ok(Xml::Eof) => break,
            Ok(Xml::Start(e)) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                start(&mut state, &path, &name, line)?;
                path.push(name);
                text.clear();
            }
            Ok(Xml::Empty(e)) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                start(&mut state, &path, &name, line)?;
                path.push(name);
                if let Some(child) = end(&mut state, &path, "", line)? {
                    on_child(child)?;
                }
                path.pop();
            }
            Ok(Xml::Text(t)) => {
                let raw = decoded(t.as_ref());
                let value = quick_xml::escape::unescape(&raw).map_err(|e| malformed(e.to_string()))?;
                text.push_str(&value);
            }
            Ok(Xml::CData(t)) => text.push_str(&decoded(t.as_ref())),
            Ok(Xml::End(_)) => {
                if let Some(child) = end(&mut state, &path, text.trim(), line)? {
                    on_child(child)?;
                }
                path.pop();
                text.clear();
            }
            Ok(_) => {}
        }
        buf.clear();
    }
    if !state.seen_message || !state.seen_header {
        return Err(CinReadError::NotACensus.into());
    }
    Ok(state.header)
}

/// Reads a whole census into memory.
pub fn read_cin_all(input: impl BufRead) -> Result<CinReturn, CinReadError> {
    let mut children = Vec::new();
    let header = read_cin(input, |c| {
        children.push(c);
        Ok::<(), CinReadError>(())
    })?;
    Ok(CinReturn { header, children })
}

/// Opens the record an element starts.
fn start(state: &mut Partial, path: &[String], name: &str, line: u64) -> Result<(), CinReadError> {
    let parent = path.last().map(String::as_str).unwrap_or("");
    let misplaced = || CinReadError::Misplaced { line, element: name.into(), parent: parent.into() };
    match name {
        "Message" if path.is_empty() => state.seen_message = true,
        "Header" if parent == "Message" => state.seen_header = true,
        "Child" => {
            if parent != "Children" {
                return Err(misplaced());
            }
            state.child = Some(CinChild { line: Some(line), ..CinChild::default() });
        }
        "CINdetails" => match state.child.as_mut() {
            Some(c) if parent == "Child" => c.details.push(CinDetails::default()),
            _ => return Err(misplaced()),
        },
        "Assessments" | "CINPlanDates" | "Section47" | "ChildProtectionPlans" => {
            let Some(d) = state.details().filter(|_| parent == "CINdetails") else {
                return Err(misplaced());
            };
            match name {
                "Assessments" => d.assessments.push(CinAssessment::default()),
                "CINPlanDates" => d.cin_plans.push(CinPlan::default()),
                "Section47" => d.section47s.push(CinSection47::default()),
                _ => d.cp_plans.push(CinProtectionPlan::default()),
            }
        }
        _ => {}
    }
    Ok(())
}

/// Closes an element: a value goes to its field; a closing `Child` hands the child back.
fn end(state: &mut Partial, path: &[String], text: &str, line: u64) -> Result<Option<CinChild>, CinReadError> {
    let Some(name) = path.last().map(String::as_str) else { return Ok(None) };
    let parent = path.len().checked_sub(2).map(|i| path[i].as_str()).unwrap_or("");
    if name == "Child" {
        return Ok(state.child.take());
    }
    let value = (!text.is_empty()).then(|| text.to_string());
    if matches!(parent, "CollectionDetails" | "Source") {
        let h = &mut state.header;
        match name {
            "Collection" => h.collection = value,
            "Year" => h.year = value,
            "ReferenceDate" => h.reference_date = value.as_deref().and_then(parse_date),
            "SourceLevel" => h.source_level = value,
            "LEA" => h.lea = value,
            "SoftwareCode" => h.software_code = value,
            "Release" => h.release = value,
            "SerialNo" => h.serial_no = value,
            "DateTime" => h.date_time = value,
            _ => {}
        }
        return Ok(None);
    }
    let Some(child) = state.child.as_mut() else { return Ok(None) };
    let mut unreadable = Vec::new();
    let mut as_date = |v: Option<String>| -> Option<NaiveDate> {
        let v = v?;
        let d = parse_date(&v);
        if d.is_none() {
            unreadable.push(Unreadable { element: name.to_string(), value: v, line });
        }
        d
    };
    match parent {
        "ChildIdentifiers" => match name {
            "LAchildID" => child.la_child_id = value,
            "UPN" => child.upn = value,
            "FormerUPN" => child.former_upn = value,
            "UPNunknown" => child.upn_unknown = value,
            "PersonBirthDate" => child.birth_date = as_date(value),
            "ExpectedPersonBirthDate" => child.expected_birth_date = as_date(value),
            "Sex" | "GenderCurrent" => child.sex = value,
            "PersonDeathDate" => child.death_date = as_date(value),
            _ => {}
        },
        "ChildCharacteristics" if name == "Ethnicity" => child.ethnicity = value,
        "Disabilities" if name == "Disability" => child.disabilities.extend(value),
        "CINdetails" => {
            if let Some(d) = child.details.last_mut() {
                match name {
                    "CINreferralDate" => d.referral_date = as_date(value),
                    "ReferralSource" => d.referral_source = value,
                    "PrimaryNeedCode" => d.primary_need = value,
                    "CINclosureDate" => d.closure_date = as_date(value),
                    "ReasonForClosure" => d.reason_for_closure = value,
                    "DateOfInitialCPC" => d.date_of_initial_cpc = as_date(value),
                    "ReferralNFA" => d.referral_nfa = value,
                    _ => {}
                }
            }
        }
        "Assessments" => {
            if let Some(a) = child.details.last_mut().and_then(|d| d.assessments.last_mut()) {
                match name {
                    "AssessmentActualStartDate" => a.start = as_date(value),
                    "AssessmentInternalReviewDate" => a.internal_review = as_date(value),
                    "AssessmentAuthorisationDate" => a.authorised = as_date(value),
                    _ => {}
                }
            }
        }
        "FactorsIdentifiedAtAssessment" => {
            if let Some(a) = child.details.last_mut().and_then(|d| d.assessments.last_mut()) {
                a.factors.extend(value);
            }
        }
        "CINPlanDates" => {
            if let Some(p) = child.details.last_mut().and_then(|d| d.cin_plans.last_mut()) {
                match name {
                    "CINPlanStartDate" => p.start = as_date(value),
                    "CINPlanEndDate" => p.end = as_date(value),
                    _ => {}
                }
            }
        }
        "Section47" => {
            if let Some(s) = child.details.last_mut().and_then(|d| d.section47s.last_mut()) {
                match name {
                    "S47ActualStartDate" => s.start = as_date(value),
                    "InitialCPCtarget" => s.icpc_target = value,
                    "DateOfInitialCPC" => s.date_of_initial_cpc = as_date(value),
                    "ICPCnotRequired" => s.icpc_not_required = value,
                    _ => {}
                }
            }
        }
        "ChildProtectionPlans" => {
            if let Some(p) = child.details.last_mut().and_then(|d| d.cp_plans.last_mut()) {
                match name {
                    "CPPstartDate" => p.start = as_date(value),
                    "CPPendDate" => p.end = as_date(value),
                    "InitialCategoryOfAbuse" => p.initial_category = value,
                    "LatestCategoryOfAbuse" => p.latest_category = value,
                    "NumberOfPreviousCPP" => p.number_of_previous = value,
                    _ => {}
                }
            }
        }
        "Reviews" if name == "CPPreviewDate" => {
            let review = as_date(value);
            if let Some(p) = child.details.last_mut().and_then(|d| d.cp_plans.last_mut()) {
                p.reviews.push(review);
            }
        }
        _ => {}
    }
    child.unreadable.extend(unreadable);
    Ok(None)
}

/// A census date: `YYYY-MM-DD`, perhaps with a time after it.
fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d").ok()
}

impl From<io::Error> for CinReadError {
    fn from(e: io::Error) -> Self {
        CinReadError::Io(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn sample() -> CinReturn {
        CinReturn {
            header: CinHeader {
                collection: Some("CIN".into()),
                year: Some("2026".into()),
                reference_date: Some(d(2026, 3, 31)),
                source_level: Some("L".into()),
                lea: Some("314".into()),
                software_code: Some("Canopy".into()),
                release: Some("0.1.0".into()),
                serial_no: Some("001".into()),
                date_time: Some("2026-04-02T09:00:00".into()),
            },
            children: vec![CinChild {
                la_child_id: Some("K1".into()),
                upn: Some("A314123456789".into()),
                birth_date: Some(d(2015, 6, 1)),
                sex: Some("F".into()),
                ethnicity: Some("WBRI".into()),
                disabilities: vec!["NONE".into()],
                details: vec![CinDetails {
                    referral_date: Some(d(2025, 5, 1)),
                    referral_source: Some("2A".into()),
                    primary_need: Some("N1".into()),
                    assessments: vec![CinAssessment {
                        start: Some(d(2025, 5, 2)),
                        authorised: Some(d(2025, 6, 1)),
                        factors: vec!["1A".into(), "4B".into()],
                        ..Default::default()
                    }],
                    cin_plans: vec![CinPlan { start: Some(d(2025, 6, 2)), end: None }],
                    section47s: vec![CinSection47 {
                        start: Some(d(2025, 5, 3)),
                        icpc_target: Some("2025-05-23".into()),
                        date_of_initial_cpc: None,
                        icpc_not_required: Some("1".into()),
                    }],
                    referral_nfa: Some("0".into()),
                    cp_plans: vec![CinProtectionPlan {
                        start: Some(d(2025, 5, 20)),
                        end: Some(d(2025, 6, 1)),
                        initial_category: Some("NEG".into()),
                        latest_category: Some("EMO".into()),
                        number_of_previous: Some("0".into()),
                        reviews: vec![Some(d(2025, 5, 30))],
                    }],
                    ..Default::default()
                }],
                ..Default::default()
            }],
        }
    }

    #[test]
    fn a_census_reads_back_as_it_was_written() {
        let census = sample();
        let mut out = Vec::new();
        write_cin(&census, &mut out).expect("write");
        let text = String::from_utf8(out.clone()).expect("utf8");
        assert!(text.contains("<ReferralNFA>0</ReferralNFA>"), "flags are 0/1");
        assert!(text.find("<Section47>") < text.find("<ReferralNFA>"), "the XSD's order");
        let mut back = read_cin_all(out.as_slice()).expect("read");
        assert_eq!(back.children[0].line, Some(19));
        back.children[0].line = None;
        assert_eq!(back, census);
    }

    #[test]
    fn malformed_files_say_where_and_bad_values_are_kept_as_unreadable() {
        let err = read_cin_all("<Message>\n<Header>\n</Message>".as_bytes()).expect_err("malformed");
        assert!(matches!(err, CinReadError::Malformed { line: 3, .. }), "{err}");
        assert_eq!(read_cin_all("<Other/>".as_bytes()).expect_err("not a census"), CinReadError::NotACensus);
        let misplaced = "<Message><Header/><Children><CINdetails/></Children></Message>";
        assert!(matches!(read_cin_all(misplaced.as_bytes()), Err(CinReadError::Misplaced { .. })));
        let file = "<Message><Header/><Children>\n<Child><ChildIdentifiers><LAchildID>Zo\u{eb}</LAchildID>\
                    <PersonBirthDate>31/02/2015</PersonBirthDate></ChildIdentifiers></Child></Children></Message>";
        let back = read_cin_all(file.as_bytes()).expect("read");
        let child = &back.children[0];
        assert_eq!(child.la_child_id.as_deref(), Some("Zoë"));
        assert_eq!(child.birth_date, None);
        assert_eq!(child.unreadable[0].element, "PersonBirthDate");
        assert_eq!(child.unreadable[0].line, 2);
    }

    #[test]
    fn windows_1252_files_are_read() {
        let file = b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><Message><Header/><Children><Child>\
                     <ChildIdentifiers><LAchildID>Zo\xEB</LAchildID></ChildIdentifiers></Child></Children></Message>";
        let back = read_cin_all(&file[..]).expect("read");
        assert_eq!(back.children[0].la_child_id.as_deref(), Some("Zoë"));
    }
}
