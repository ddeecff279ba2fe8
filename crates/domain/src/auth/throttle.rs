use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;

/// How many sign-in attempts a key (an account or an IP address) may make: a bucket of
/// `burst` attempts that refills one attempt every `refill_every`. A refused attempt costs
/// nothing, so there is no permanent lock-out: the real user can always get in a little later.
#[derive(Debug, Clone, Copy)]
pub struct ThrottleSettings {
    pub burst: u32,
    pub refill_every: Duration,
    /// The most keys remembered; beyond this, full buckets are forgotten first.
    pub max_keys: usize,
}

impl Default for ThrottleSettings {
    /// 5 at once, then one every 12 seconds: 200 guesses in a minute get about 10 evaluated.
    fn default() -> Self {
        Self { burst: 5, refill_every: Duration::seconds(12), max_keys: 100_000 }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: DateTime<Utc>,
}

/// Throttles sign-in attempts per account and per IP address.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    settings: ThrottleSettings,
    buckets: HashMap<String, Bucket>,
}

impl LoginThrottle {
    pub fn new(settings: ThrottleSettings) -> Self {
        Self { settings, buckets: HashMap::new() }
    }

    fn refilled(&self, key: &str, now: DateTime<Utc>) -> Bucket {
        let burst = f64::from(self.settings.burst);
        match self.buckets.get(key) {
            None => Bucket { tokens: burst, at: now },
            Some(b) => {
                let elapsed = (now - b.at).num_milliseconds().max(0) as f64;
                let per = self.settings.refill_every.num_milliseconds().max(1) as f64;
                Bucket { tokens: (b.tokens + elapsed / per).min(burst), at: now }
            }
        }
    }

    /// Asks to evaluate one attempt for every key. Either all keys have an attempt to spend, and
    /// each spends one, or none spends and the answer is how long to wait.
    pub fn try_attempt(&mut self, keys: &[&str], now: DateTime<Utc>) -> Result<(), Duration> {
        let buckets: Vec<Bucket> = keys.iter().map(|k| self.refilled(k, now)).collect();
        let per = self.settings.refill_every.num_milliseconds().max(1) as f64;
        let wait_ms = buckets.iter().filter(|b| b.tokens < 1.0).map(|b| ((1.0 - b.tokens) * per).ceil() as i64).max();
        if let Some(ms) = wait_ms {
            return Err(Duration::milliseconds(ms));
        }
        if self.buckets.len() >= self.settings.max_keys {
            self.forget_full(now);
        }
        for (key, mut bucket) in keys.iter().zip(buckets) {
            bucket.tokens -= 1.0;
            self.buckets.insert((*key).to_string(), bucket);
        }
        Ok(())
    }

    /// After a successful sign-in the account's bucket is full again.
    pub fn succeeded(&mut self, key: &str) {
        self.buckets.remove(key);
    }

    fn forget_full(&mut self, now: DateTime<Utc>) {
        let burst = f64::from(self.settings.burst);
        let per = self.settings.refill_every.num_milliseconds().max(1) as f64;
        self.buckets.retain(|_, b| b.tokens + (now - b.at).num_milliseconds().max(0) as f64 / per < burst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn start() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).single().expect("time")
    }

    #[test]
    fn two_hundred_guesses_in_a_minute_get_about_ten_evaluated() {
        let mut t = LoginThrottle::default();
        let evaluated = (0..200)
            .filter(|i| {
                let now = start() + Duration::milliseconds(i * 300);
                t.try_attempt(&["account:alice", "ip:10.0.0.1"], now).is_ok()
            })
            .count();
        assert!((5..=11).contains(&evaluated), "{evaluated} evaluated");
    }

    #[test]
    fn there_is_no_permanent_lock_out() {
        let mut t = LoginThrottle::default();
        for _ in 0..50 {
            let _ = t.try_attempt(&["account:alice"], start());
        }
        assert!(t.try_attempt(&["account:alice"], start()).is_err());
        assert!(t.try_attempt(&["account:alice"], start() + Duration::seconds(13)).is_ok());
    }

    #[test]
    fn a_refused_attempt_says_how_long_to_wait() {
        let mut t = LoginThrottle::default();
        for _ in 0..5 {
            assert!(t.try_attempt(&["ip:1"], start()).is_ok());
        }
        assert_eq!(t.try_attempt(&["ip:1"], start()), Err(Duration::seconds(12)));
    }

    #[test]
    fn a_blocked_ip_does_not_spend_the_account_bucket() {
        let mut t = LoginThrottle::default();
        for _ in 0..5 {
            assert!(t.try_attempt(&["ip:1"], start()).is_ok());
        }
        assert!(t.try_attempt(&["account:bob", "ip:1"], start()).is_err());
        for _ in 0..5 {
            assert!(t.try_attempt(&["account:bob", "ip:2"], start()).is_ok());
        }
    }

    #[test]
    fn success_refills_the_account() {
        let mut t = LoginThrottle::default();
        for _ in 0..5 {
            assert!(t.try_attempt(&["account:carol"], start()).is_ok());
        }
        t.succeeded("account:carol");
        assert!(t.try_attempt(&["account:carol"], start()).is_ok());
    }

    #[test]
    fn memory_is_bounded() {
        let mut t = LoginThrottle::new(ThrottleSettings { max_keys: 10, ..ThrottleSettings::default() });
        for i in 0..100 {
            let key = format!("ip:{i}");
            let _ = t.try_attempt(&[key.as_str()], start() + Duration::minutes(i));
        }
        assert!(t.buckets.len() <= 11);
    }
}
