//! Field-level validation errors, shared by every form and API body.

use serde::Serialize;

/// One problem with one field of an input, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's name as the form and the API call it.
    pub field: String,
    pub message: String,
}

/// All the problems found in one input. Checking goes on after the first problem, so the user
/// sees every problem at once (the GOV.UK error summary pattern).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}", self.summary())]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem with `field`.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError { field: field.to_string(), message: message.into() });
    }

    /// A single problem with a single field.
    pub fn one(field: &str, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first message recorded for `field`, if any.
    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    /// `Ok(value)` when nothing was recorded, otherwise these errors.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }

    fn summary(&self) -> String {
        self.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
    }
}

/// Trims `value` and checks it is present and at most `max` characters long.
pub fn required_text(errors: &mut FieldErrors, field: &str, label: &str, value: &str, max: usize) -> String {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        errors.add(field, format!("Enter {label}"));
    } else if trimmed.chars().count() > max {
        errors.add(field, format!("{} must be {max} characters or fewer", capitalise(label)));
    }
    trimmed.to_string()
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Whether `text` has the shape of an email address: something, an @, and a domain with a dot.
pub fn looks_like_email(text: &str) -> bool {
    match text.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !text.contains(' ')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert!(looks_like_email("sam.social@kingston.gov.uk"));
        assert!(!looks_like_email("sam.social"));
        assert!(!looks_like_email("@kingston.gov.uk"));
        assert!(!looks_like_email("sam@localhost"));
        assert!(!looks_like_email("sam smith@kingston.gov.uk"));
    }

    #[test]
    fn required_text_reports_missing_and_overlong_values() {
        let mut errors = FieldErrors::new();
        assert_eq!(required_text(&mut errors, "name", "a name", "  Ann  ", 10), "Ann");
        required_text(&mut errors, "title", "a title", " ", 10);
        required_text(&mut errors, "team", "a team", "abcdefghijk", 10);
        assert_eq!(errors.for_field("title"), Some("Enter a title"));
        assert_eq!(errors.for_field("team"), Some("A team must be 10 characters or fewer"));
        assert_eq!(errors.for_field("name"), None);
    }
}

/// Reads a date typed as day, month and year (the GOV.UK date input), with a message that says
/// what is wrong.
pub fn date_from_parts(label: &str, day: &str, month: &str, year: &str) -> Result<chrono::NaiveDate, String> {
    let (d, m, y) = (day.trim(), month.trim(), year.trim());
    if d.is_empty() && m.is_empty() && y.is_empty() {
        return Err(format!("Enter {label}"));
    }
    for (part, text) in [("day", d), ("month", m), ("year", y)] {
        if text.is_empty() {
            return Err(format!("{} must include a {part}", capitalise(label)));
        }
        if !text.chars().all(|c| c.is_ascii_digit()) || text.len() > 4 {
            return Err(format!("{} must be a real date, with the {part} in numbers", capitalise(label)));
        }
    }
    if y.len() != 4 {
        return Err("Year must include 4 numbers".into());
    }
    match (d.parse::<u32>(), m.parse::<u32>(), y.parse::<i32>()) {
        (Ok(d), Ok(m), Ok(y)) => {
            chrono::NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("{} must be a real date", capitalise(label)))
        }
        _ => Err(format!("{} must be a real date", capitalise(label))),
    }
}

#[cfg(test)]
mod date_tests {
    use super::*;

    #[test]
    fn a_date_typed_in_parts_is_read_or_its_problem_named() {
        assert_eq!(
            date_from_parts("the closure day", "29", "12", "2026"),
            Ok(chrono::NaiveDate::from_ymd_opt(2026, 12, 29).expect("date"))
        );
        assert_eq!(date_from_parts("the closure day", "", "", ""), Err("Enter the closure day".into()));
        assert_eq!(
            date_from_parts("the closure day", "29", "", "2026"),
            Err("The closure day must include a month".into())
        );
        assert_eq!(
            date_from_parts("the closure day", "30", "2", "2026"),
            Err("The closure day must be a real date".into())
        );
        assert_eq!(date_from_parts("the closure day", "1", "2", "26"), Err("Year must include 4 numbers".into()));
        assert!(date_from_parts("the closure day", "x", "2", "2026").is_err());
    }
}
