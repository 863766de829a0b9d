//! The wrapper on Windows: a Job Object, the one way Windows gives to hold
//! a program and everything it starts to limits and kill them together. The
//! wrapper puts itself in a new job (what it starts then belongs to it
//! too), with a memory limit for the whole job, a CPU time limit per
//! process, a cap on active processes, and kill-on-close: when the wrapper
//! exits and the job's last handle closes, every process still in it dies.
//! The program runs without a console (`DETACHED_PROCESS`), in the job's
//! directory. The network and the user's files are not contained, and
//! `cargo book` says so at start.
//!
//! The Job Object calls are `windows-sys`'s declarations of the Win32 API;
//! calling them is `unsafe`, in this module alone.
#![allow(unsafe_code)]

use std::io::{self, Read};
use std::os::windows::process::CommandExt;
use std::process::Child;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, JOB_OBJECT_LIMIT_ACTIVE_PROCESS,
    JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION, JOB_OBJECT_LIMIT_JOB_MEMORY,
    JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, JOB_OBJECT_LIMIT_PROCESS_TIME,
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JobObjectExtendedLimitInformation,
    SetInformationJobObject,
};
use windows_sys::Win32::System::Threading::{DETACHED_PROCESS, GetCurrentProcess};

use super::{Ended, Report, Spec, Stopped, context, copy_program, start_program};
use crate::playground::limits::ProcessLimits;

pub fn contain(spec: &Spec) -> io::Result<Report> {
    enter_job(&spec.limits).map_err(|e| context(e, "creating the job object"))?;
    if !copy_program(spec)? {
        return Ok(Report::program_changed());
    }
    let mut report = Report::default();
    let work = &spec.dir;
    let mut child = start_program(spec, work, |command| {
        command.creation_flags(DETACHED_PROCESS);
    })?;
    let (ended, stopped) = wait(&mut child, Duration::from_millis(spec.wall_ms))?;
    report.ended = Some(ended);
    report.stopped = stopped;
    // What the program started dies with the job, when this process exits.
    Ok(report)
}

/// Creates a job with `limits` and puts this process in it. Its handle is
/// never closed: it closes when this process exits, and kills the job.
fn enter_job(limits: &ProcessLimits) -> io::Result<()> {
    let mut info = JOBOBJECT_EXTENDED_LIMIT_INFORMATION::default();
    let basic = &mut info.BasicLimitInformation;
    basic.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
        | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION
        | JOB_OBJECT_LIMIT_JOB_MEMORY
        | JOB_OBJECT_LIMIT_ACTIVE_PROCESS
        | JOB_OBJECT_LIMIT_PROCESS_TIME;
    // The wrapper is one of the job's processes.
    basic.ActiveProcessLimit = u32::try_from(limits.processes + 1).unwrap_or(u32::MAX);
    // In units of 100 ns.
    basic.PerProcessUserTimeLimit =
        i64::try_from(limits.cpu_seconds * 10_000_000).unwrap_or(i64::MAX);
    info.JobMemoryLimit = usize::try_from(limits.memory_bytes).unwrap_or(usize::MAX);
    // SAFETY: no name and no security attributes are passed (both null),
    // and `info` is a valid JOBOBJECT_EXTENDED_LIMIT_INFORMATION of the size
    // given; the handles passed are the new job's and this process's own.
    unsafe {
        let job = CreateJobObjectW(std::ptr::null(), std::ptr::null());
        if job.is_null() {
            return Err(io::Error::last_os_error());
        }
        let set = SetInformationJobObject(
            job,
            JobObjectExtendedLimitInformation,
            (&raw const info).cast(),
            size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
        );
        if set == 0 {
            return Err(io::Error::last_os_error());
        }
        if AssignProcessToJobObject(job, GetCurrentProcess()) == 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Waits for `child` for at most `limit`, or until standard input closes
/// (the server asks); then kills it.
fn wait(child: &mut Child, limit: Duration) -> io::Result<(Ended, Option<Stopped>)> {
    // A thread reads standard input to its end: the server closed it.
    let asked = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&asked);
    std::thread::spawn(move || {
        let _ = io::stdin().read_to_end(&mut Vec::new());
        flag.store(true, Ordering::Relaxed);
    });
    let deadline = Instant::now() + limit;
    let (status, stopped) = verify::run::wait_until(child, deadline, |left| {
        std::thread::sleep(left.min(Duration::from_millis(5)));
        Ok(asked.load(Ordering::Relaxed))
    })?;
    let stopped = stopped.map(|stop| match stop {
        verify::run::Stop::Deadline => Stopped::Time,
        verify::run::Stop::Asked => Stopped::Asked,
    });
    Ok((Ended::Exit(status.code().unwrap_or(-1)), stopped))
}
