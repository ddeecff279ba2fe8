use chrono::{DateTime, NaiveDate, Utc};

/// Where the time comes from. The domain never reads the system clock: every rule that depends on
/// time is given a `Clock`, so tests can pin it.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;

    /// Today's date in England (UTC is close enough for day-granular statutory clocks here;
    /// the web layer converts to Europe/London for display).
    fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

/// A clock pinned to one instant, which a test can move.
#[derive(Debug)]
pub struct FixedClock {
    now: std::sync::Mutex<DateTime<Utc>>,
}

impl FixedClock {
    /// A clock that reads `at` until it is moved.
    pub fn new(at: DateTime<Utc>) -> Self {
        Self { now: std::sync::Mutex::new(at) }
    }

    /// Moves the clock forward (or back, with a negative duration).
    pub fn advance(&self, by: chrono::Duration) {
        if let Ok(mut now) = self.now.lock() {
            *now += by;
        }
    }

    /// Sets the clock to `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Ok(mut now) = self.now.lock() {
            *now = at;
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.now.lock().map(|n| *n).unwrap_or_default()
    }
}
