//! A circuit breaker per client: after [`OPEN_AFTER`] failed attempts in a
//! row, a client's jobs stay in the retry schedule and cost one probe per
//! interval (5 s, doubling to a minute) instead of one attempt each. The
//! first delivered probe closes it again.

use std::time::Duration;

use tokio::time::Instant;

/// Consecutive failures that open the breaker.
pub const OPEN_AFTER: u32 = 5;
const FIRST_PROBE: Duration = Duration::from_secs(5);
const LONGEST_PROBE: Duration = Duration::from_secs(60);

#[derive(Debug, Default)]
pub struct Breaker {
    failures: u32,
    /// Set while open: when the next probe may go.
    probe_at: Option<Instant>,
    /// The interval before the next probe after this one fails.
    interval: Duration,
    /// A probe is in flight.
    probing: bool,
}

/// What an attempt came to, as far as the breaker is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    Delivered,
    Failed,
    /// No request was sent (the job was past its window, or its client is
    /// gone): says nothing about the receiver.
    NotSent,
}

impl Breaker {
    /// How many attempts may start now, with `in_flight` running and at
    /// most `cap` at once.
    pub fn allowance(&self, now: Instant, in_flight: usize, cap: usize) -> usize {
        match self.probe_at {
            None => cap.saturating_sub(in_flight),
            Some(at) if now >= at && !self.probing && in_flight == 0 => 1,
            Some(_) => 0,
        }
    }

    pub fn is_open(&self) -> bool {
        self.probe_at.is_some()
    }

    /// The next probe is being sent.
    pub fn probing(&mut self) {
        if self.probe_at.is_some() {
            self.probing = true;
        }
    }

    pub fn record(&mut self, attempt: Attempt, now: Instant) {
        match attempt {
            Attempt::Delivered => *self = Self::default(),
            Attempt::NotSent => self.probing = false,
            Attempt::Failed if self.probing => {
                self.probing = false;
                self.interval = (self.interval * 2).min(LONGEST_PROBE);
                self.probe_at = Some(now + self.interval);
            }
            // Attempts that were already under way when it opened.
            Attempt::Failed if self.probe_at.is_some() => {}
            Attempt::Failed => {
                self.failures += 1;
                if self.failures >= OPEN_AFTER {
                    self.interval = FIRST_PROBE;
                    self.probe_at = Some(now + FIRST_PROBE);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_repeated_failures_and_probes_one_at_a_time() {
        let now = Instant::now();
        let mut b = Breaker::default();
        for _ in 0..OPEN_AFTER - 1 {
            b.record(Attempt::Failed, now);
        }
        assert_eq!(b.allowance(now, 0, 8), 8, "still closed");
        b.record(Attempt::Failed, now);
        assert!(b.is_open());
        assert_eq!(b.allowance(now, 0, 8), 0, "open: nothing until the probe");
        let later = now + FIRST_PROBE;
        assert_eq!(b.allowance(later, 1, 8), 0, "attempts still running");
        assert_eq!(b.allowance(later, 0, 8), 1, "one probe");
        b.probing();
        assert_eq!(b.allowance(later, 0, 8), 0, "only one probe at a time");
        b.record(Attempt::Failed, later);
        assert_eq!(
            b.allowance(later + FIRST_PROBE, 0, 8),
            0,
            "interval doubled"
        );
        assert_eq!(b.allowance(later + FIRST_PROBE * 2, 0, 8), 1);
    }

    #[test]
    fn a_delivered_probe_closes_it_and_an_unsent_one_does_not_count() {
        let now = Instant::now();
        let mut b = Breaker::default();
        for _ in 0..OPEN_AFTER {
            b.record(Attempt::Failed, now);
        }
        let at = now + FIRST_PROBE;
        b.probing();
        b.record(Attempt::NotSent, at);
        assert_eq!(b.allowance(at, 0, 8), 1, "an unsent probe is no probe");
        b.probing();
        b.record(Attempt::Delivered, at);
        assert!(!b.is_open());
        assert_eq!(b.allowance(at, 2, 8), 6);
    }

    #[test]
    fn the_interval_stops_growing_at_a_minute() {
        let mut now = Instant::now();
        let mut b = Breaker::default();
        for _ in 0..OPEN_AFTER {
            b.record(Attempt::Failed, now);
        }
        for _ in 0..10 {
            now += LONGEST_PROBE;
            b.probing();
            b.record(Attempt::Failed, now);
        }
        assert_eq!(b.allowance(now + LONGEST_PROBE, 0, 8), 1);
    }
}
