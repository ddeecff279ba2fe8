use canopy_domain::calendar::Clock;
use chrono::{DateTime, Utc};

/// The real clock: the one place Canopy reads the system time.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}
