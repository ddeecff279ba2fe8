/// The shortest password accepted. Length, not composition, is what makes a password strong.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest password accepted: long passphrases are welcome, unbounded input is not.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Passwords that appear most often in public breach corpora, and words staff here would try
/// first. Compared case-insensitively, after dropping trailing digits and punctuation.
const COMMON: &[&str] = &[
    "password",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword",
    "qwerty",
    "qwertyuiop",
    "qwerty123",
    "123456789",
    "1234567890",
    "12345678",
    "111111111",
    "abc123",
    "iloveyou",
    "letmein",
    "welcome",
    "monkey",
    "dragon",
    "football",
    "baseball",
    "sunshine",
    "princess",
    "trustno1",
    "superman",
    "batman",
    "starwars",
    "master",
    "shadow",
    "michael",
    "jennifer",
    "charlie",
    "liverpool",
    "chelsea",
    "arsenal",
    "manchester",
    "london",
    "england",
    "changeme",
    "administrator",
    "admin",
    "canopy",
    "socialwork",
    "socialworker",
    "children",
    "council",
    "kingston",
    "richmond",
    "windsor",
    "maidenhead",
    "summer",
    "winter",
    "autumn",
    "spring",
    "january",
    "february",
    "december",
    "correcthorsebatterystaple",
    "passwordpassword",
    "aaaaaaaaaaaa",
    "zaq12wsx",
    "1q2w3e4r",
    "1qaz2wsx",
    "asdfghjkl",
    "zxcvbnm",
    "qazwsx",
    "whatever",
    "freedom",
    "computer",
    "internet",
];

/// Checks a new password: long enough, not too long, not a common or breached password, and
/// not the user's own name or email. Returns the reason it is refused.
pub fn check_new_password(password: &str, own_words: &[&str]) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(format!(
            "Use at least {MIN_PASSWORD_CHARS} characters; a short sentence you can remember works well"
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(format!("Use {MAX_PASSWORD_CHARS} characters or fewer"));
    }
    let folded = password.to_lowercase();
    let core = folded.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    if COMMON.contains(&core) || COMMON.contains(&folded.as_str()) {
        return Err("That password is too common: it appears in lists that attackers try first".into());
    }
    let distinct: std::collections::BTreeSet<char> = folded.chars().collect();
    if distinct.len() < 4 {
        return Err("That password repeats too few characters to be safe".into());
    }
    for word in own_words.iter().map(|w| w.to_lowercase()).filter(|w| w.len() >= 4) {
        if folded.contains(&word) {
            return Err("Do not use your name or email address in your password".into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_passphrases_are_welcome_without_composition_rules() {
        assert!(check_new_password("the kettle is always on in north cluster", &[]).is_ok());
    }

    #[test]
    fn short_common_and_personal_passwords_are_refused() {
        assert!(check_new_password("short", &[]).is_err());
        assert!(check_new_password("Password123!", &[]).unwrap_err().contains("too common"));
        assert!(check_new_password("qwertyuiop12", &[]).is_err());
        assert!(check_new_password("aaaaaaaaaaaaaaaa", &[]).is_err());
        assert!(check_new_password("jane.smith.is.great", &["jane.smith@example.org", "jane.smith"]).is_err());
        assert!(check_new_password(&"x1y2".repeat(100), &[]).is_err());
    }
}
