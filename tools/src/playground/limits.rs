//! Every limit of the local playground, in one place.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How long the page waits for an answer: mdBook's book.js gives up on
/// `evaluate.json` after 6000 ms (`fetch_with_timeout`), and never reads a
/// later answer. tests/playground.rs checks this against the book.js the book
/// serves.
pub const PAGE_TIMEOUT: Duration = Duration::from_millis(6000);

/// What one process (and everything it starts) may use, as rlimits and a
/// process cap.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct ProcessLimits {
    /// Memory it can write: heap, thread stacks, writable mappings
    /// (`RLIMIT_DATA`). Address space merely reserved (glibc reserves 64 MiB
    /// per thread arena) does not count.
    pub memory_bytes: u64,
    /// Address space, reserved or not (`RLIMIT_AS`): a backstop, in case
    /// the kernel was told to ignore `RLIMIT_DATA`.
    pub address_space_bytes: u64,
    /// Processes and threads, counted together (`pids.max`, or
    /// `RLIMIT_NPROC` where it binds).
    pub processes: u64,
    /// Largest file it may write (`RLIMIT_FSIZE`).
    pub file_bytes: u64,
    /// Open files (`RLIMIT_NOFILE`).
    pub open_files: u64,
    /// CPU time, all threads together (`RLIMIT_CPU`).
    pub cpu_seconds: u64,
    /// All it may write, where its directory is a private file system.
    pub disk_bytes: u64,
}

/// The limits a job runs under.
#[derive(Debug, Serialize)]
pub struct Limits {
    /// Largest request body accepted.
    pub body_bytes: usize,
    /// Jobs (a compile and a run) at once.
    pub jobs: usize,
    /// Of those, Miri runs at once: fewer than `jobs`, so that Run always
    /// has a slot.
    pub miri_jobs: usize,
    /// How long a request waits for a free job slot before it is refused.
    pub queue_wait: Duration,
    /// Longest run. Less when waiting and compiling have used the page's time.
    pub run: Duration,
    /// Kept for sending the answer before the page gives up.
    pub answer_margin: Duration,
    /// Longest compile. Beyond the page's timeout, the program is still
    /// compiled into the cache (the next click runs at once) but not run.
    pub compile: Duration,
    /// Output kept from the compiler, and from the program.
    pub output_bytes: usize,
    /// Compiled programs kept for identical requests, in bytes.
    pub cache_bytes: u64,
    pub program: ProcessLimits,
    pub rustc: ProcessLimits,
    /// Longest run under Miri ("Run under Miri", theme/miri.js): its own
    /// request, not book.js's, so not bound by the page's 6 s.
    pub miri_run: Duration,
    /// Miri interprets the program: the interpreter needs more memory than
    /// the program would.
    pub miri: ProcessLimits,
}

const MIB: u64 = 1024 * 1024;

pub const LIMITS: Limits = Limits {
    body_bytes: 64 * 1024,
    jobs: 2,
    miri_jobs: 1,
    queue_wait: Duration::from_millis(1000),
    run: Duration::from_millis(4000),
    answer_margin: Duration::from_millis(250),
    compile: Duration::from_secs(20),
    output_bytes: 64 * 1024,
    cache_bytes: 256 * MIB,
    // The Rust Playground's container has 512 MiB. A few dozen threads
    // (the book's listings spawn up to 48) fit easily.
    program: ProcessLimits {
        memory_bytes: 512 * MIB,
        address_space_bytes: 8192 * MIB,
        processes: 128,
        file_bytes: 16 * MIB,
        open_files: 256,
        cpu_seconds: 10,
        disk_bytes: 64 * MIB,
    },
    rustc: ProcessLimits {
        memory_bytes: 2048 * MIB,
        address_space_bytes: 16384 * MIB,
        processes: 256,
        file_bytes: 256 * MIB,
        open_files: 1024,
        cpu_seconds: 30,
        disk_bytes: 512 * MIB,
    },
    miri_run: Duration::from_secs(20),
    miri: ProcessLimits {
        memory_bytes: 2048 * MIB,
        address_space_bytes: 16384 * MIB,
        processes: 64,
        file_bytes: 16 * MIB,
        open_files: 256,
        cpu_seconds: 30,
        disk_bytes: 64 * MIB,
    },
};

const _: () = assert!(LIMITS.miri_jobs < LIMITS.jobs);

// The page's budget holds a slot wait, a whole run and the answer.
const _: () = assert!(
    LIMITS.queue_wait.as_millis() + LIMITS.run.as_millis() + LIMITS.answer_margin.as_millis()
        <= PAGE_TIMEOUT.as_millis()
);
