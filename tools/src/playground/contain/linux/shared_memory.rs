//! The memory bound where no memory cgroup can be had (not root, and no
//! delegated cgroup v2 subtree): `RLIMIT_DATA` counts what a process can
//! write privately, but not shared memory, which outlives no process yet
//! counts against none. A seccomp filter makes every way to get it fail
//! with `ENOMEM`, as an allocation over the limit does: `mmap` with
//! `MAP_SHARED` (of nothing, of `/dev/zero`, or of a file), `memfd_create`
//! and System V `shmget`. The job's files are tmpfs of a bounded size, so
//! what is left is bounded per job: private memory per process (times the
//! process cap) and the job's disk allowance.

use std::collections::BTreeMap;
use std::io;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};

/// The bits of `mmap`'s flags that say private or shared.
const MAP_TYPE: u64 = 0x0f;

fn error(error: impl std::fmt::Display) -> io::Error {
    io::Error::other(error.to_string())
}

/// Installs the filter on this process; all it starts inherits it.
pub fn refuse() -> io::Result<()> {
    let shared = |kind: i32| -> Result<SeccompRule, seccompiler::BackendError> {
        SeccompRule::new(vec![SeccompCondition::new(
            3,
            SeccompCmpArgLen::Dword,
            SeccompCmpOp::MaskedEq(MAP_TYPE),
            kind as u64,
        )?])
    };
    let mmap = vec![
        shared(libc::MAP_SHARED).map_err(error)?,
        shared(libc::MAP_SHARED_VALIDATE).map_err(error)?,
    ];
    let rules = BTreeMap::from([
        (libc::SYS_mmap, mmap),
        // An empty list: refused whatever the arguments.
        (libc::SYS_memfd_create, Vec::new()),
        (libc::SYS_shmget, Vec::new()),
    ]);
    let arch = TargetArch::try_from(std::env::consts::ARCH).map_err(error)?;
    let filter = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::ENOMEM as u32),
        arch,
    )
    .map_err(error)?;
    let program: BpfProgram = filter.try_into().map_err(error)?;
    seccompiler::apply_filter(&program).map_err(error)
}
