//! How many client connections the server accepts at once: what the
//! process's file-descriptor limit allows after a reserve for everything
//! else it opens (store connections, back-channel deliveries, key files).
//! Beyond it, connections wait in the listen backlog instead of failing
//! every `open` and `connect` of the process ("Too many open files").

/// Descriptors kept for the process's own use.
const RESERVE: u64 = 128;
/// actix-web's own per-worker default, the most this ever allows.
const MOST_PER_WORKER: u64 = 25_000;
/// The least per worker, however low the limit.
const LEAST_PER_WORKER: u64 = 16;

/// Raises the soft descriptor limit to the hard one (as far as the system
/// lets an unprivileged process), then gives each of `workers` its share.
pub fn connections_per_worker(workers: usize) -> usize {
    let limit = raise_nofile_limit();
    let workers = u64::try_from(workers.max(1)).unwrap_or(1);
    let share = limit.saturating_sub(RESERVE) / workers;
    let per_worker = share.clamp(LEAST_PER_WORKER, MOST_PER_WORKER);
    usize::try_from(per_worker).unwrap_or(usize::MAX)
}

/// The soft `RLIMIT_NOFILE` after raising it to the hard limit (1024, the
/// usual default, when it cannot be read).
fn raise_nofile_limit() -> u64 {
    rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_worker_gets_a_bounded_share() {
        let one = connections_per_worker(1);
        let two = connections_per_worker(2);
        assert!((LEAST_PER_WORKER as usize..=MOST_PER_WORKER as usize).contains(&one));
        assert!(two <= one);
    }
}
