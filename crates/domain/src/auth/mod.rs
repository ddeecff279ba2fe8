//! Rules of signing in: session lifetimes, login throttling and the password policy
//! (OWASP ASVS 5.0 level 2, and NIST SP 800-63B: length over composition, no common passwords).

mod passwords;
mod throttle;

pub use passwords::{check_new_password, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
pub use throttle::{LoginThrottle, ThrottleSettings};

use chrono::{DateTime, Duration, Utc};

/// A session ends after this long without a request.
pub const SESSION_IDLE: Duration = Duration::minutes(30);
/// A session ends this long after sign-in, however busy.
pub const SESSION_ABSOLUTE: Duration = Duration::hours(12);

/// Whether a session may still be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    Active,
    IdleTimedOut,
    AbsoluteTimedOut,
}

/// The state of a session that started at `created` and was last used at `last_seen`.
pub fn session_state(created: DateTime<Utc>, last_seen: DateTime<Utc>, now: DateTime<Utc>) -> SessionState {
    if now - created >= SESSION_ABSOLUTE {
        SessionState::AbsoluteTimedOut
    } else if now - last_seen >= SESSION_IDLE {
        SessionState::IdleTimedOut
    } else {
        SessionState::Active
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_session_idles_out_after_30_minutes_and_ends_after_12_hours() {
        let start = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).single().expect("time");
        assert_eq!(session_state(start, start, start + Duration::minutes(29)), SessionState::Active);
        assert_eq!(session_state(start, start, start + Duration::minutes(30)), SessionState::IdleTimedOut);
        let busy = start + Duration::hours(11) + Duration::minutes(59);
        assert_eq!(session_state(start, busy, busy + Duration::seconds(30)), SessionState::Active);
        assert_eq!(session_state(start, busy, start + Duration::hours(12)), SessionState::AbsoluteTimedOut);
    }
}
