//! What the page shows when a job ends: a time-out, a limit hit, a signal or an exit.

use std::time::Duration;

use super::contain::{Ended, Report, Stopped};
use super::limits::{LIMITS, ProcessLimits};
use super::sandbox::Contained;
use super::wire::Response;

pub(super) const STOPPED: &str = "stopped: the page stopped waiting, or the server is stopping";

pub(super) fn cut_note() -> String {
    format!("\n[output cut at {} KiB]\n", LIMITS.output_bytes / 1024)
}

/// What the page shows for a run.
pub(super) fn run_response(ran: Contained, wall: Duration) -> Response {
    let Contained {
        report,
        output,
        truncated,
    } = ran;
    let mut result = output.clone();
    if truncated {
        result.push_str(&cut_note());
    }
    let message = match (report.stopped, report.ended) {
        (Some(Stopped::Time), _) => Some(format!(
            "timed out after {}: the program was still running and was stopped",
            seconds(wall)
        )),
        (Some(Stopped::Asked), _) => Some(STOPPED.to_owned()),
        (None, Some(Ended::Exit(0))) => None,
        (None, ended) => {
            limit_message(&report, &output, &LIMITS.program, "stopped:").or(match ended {
                Some(Ended::Exit(code)) => {
                    Some(format!("the program exited with exit status: {code}"))
                }
                Some(Ended::Signal(signal)) => Some(format!(
                    "the program was killed by signal {signal} ({})",
                    signal_name(signal)
                )),
                None => Some("the program's end is unknown".to_owned()),
            })
        }
    };
    let shown = message
        .as_ref()
        .filter(|m| !m.starts_with("the program exited"));
    if let Some(message) = shown {
        result = format!("{}\n{message}\n", result.trim_end_matches('\n'))
            .trim_start_matches('\n')
            .to_owned();
    }
    Response {
        result,
        error: message,
    }
}

/// "4 s", or "3.2 s" when the page's time left shortened the run.
fn seconds(duration: Duration) -> String {
    let tenths = (duration.as_millis() + 50) / 100;
    if tenths.is_multiple_of(10) {
        format!("{} s", tenths / 10)
    } else {
        format!("{}.{} s", tenths / 10, tenths % 10)
    }
}

/// The limit a failed job most likely hit, said plainly. For the compiler,
/// only what the kernel did counts (its output quotes the code, which may say
/// anything); a program's own words about a failed allocation or spawn count
/// too.
pub(super) fn limit_message(
    report: &Report,
    output: &str,
    limits: &ProcessLimits,
    who: &str,
) -> Option<String> {
    const SIGABRT: i32 = 6;
    const SIGKILL: i32 = 9;
    const SIGXCPU: i32 = 24;
    const SIGXFSZ: i32 = 25;
    let program = who == "stopped:";
    let prefix = if program {
        "stopped:".to_owned()
    } else {
        format!("stopped: {who} used")
    };
    let signal = match report.ended {
        Some(Ended::Signal(signal)) => Some(signal),
        _ => None,
    };
    let words = |said: &[&str]| program && said.iter().any(|s| output.contains(s));
    let allocation_failed = output.contains("memory allocation of");
    // Rust aborts when an allocation fails: SIGABRT on Unix; on Windows,
    // where a Job Object refused the memory, an exit with a status.
    let aborted = signal == Some(SIGABRT) || cfg!(windows);
    if report.memory_cap_hit
        || (aborted && allocation_failed)
        || words(&["kind: OutOfMemory", "Cannot allocate memory"])
    {
        return Some(format!(
            "{prefix} more than {} MiB of memory",
            limits.memory_bytes >> 20
        ));
    }
    if signal == Some(SIGXFSZ) {
        return Some(format!(
            "stopped: file size limit ({} MiB)",
            limits.file_bytes >> 20
        ));
    }
    // Where a cgroup counted, it knows; else a refused spawn says so.
    // EAGAIN on Unix; ERROR_NOT_ENOUGH_QUOTA where a Job Object refused it.
    let refused = !report.process_cap_counted
        && words(&["Resource temporarily unavailable", "Not enough quota"]);
    if report.process_cap_hit || refused {
        return Some(format!(
            "stopped: too many processes (at most {} processes and threads)",
            limits.processes
        ));
    }
    if matches!(signal, Some(SIGXCPU | SIGKILL)) {
        return Some(format!(
            "{prefix} more than {} s of CPU time",
            limits.cpu_seconds
        ));
    }
    None
}

fn signal_name(signal: i32) -> &'static str {
    match signal {
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        _ => "a signal",
    }
}
