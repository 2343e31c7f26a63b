//! A target process pinned by a pidfd (`pidfd_open`): a PID names whatever process has it now,
//! a pidfd the one process it was opened for. The container's init is pinned when it is located
//! (and checked to be the process located then, by its start time); every later read of
//! `/proc/<pid>` is checked against the pin *after* it is opened or read: while the pinned
//! process has not exited, its PID cannot be given to another, so what was read is its own. A
//! recycled PID is never read as the target.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// One process, pinned.
#[derive(Debug)]
pub struct Pinned {
    pid: i32,
    fd: OwnedFd,
}

impl Pinned {
    /// Pin `pid`, if it is still the process that started at `start_ticks` (clock ticks since
    /// boot, `/proc/<pid>/stat`).
    pub fn open(pid: i32, start_ticks: u64) -> io::Result<Pinned> {
        // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor or -1.
        let raw = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: the kernel just returned this descriptor to us; nothing else owns it.
        let fd = unsafe { OwnedFd::from_raw_fd(raw as i32) };
        let pinned = Pinned { pid, fd };
        // the PID may have been reused between locating and pinning: the pinned process must be
        // the one located (read while the pin holds: the PID is its own)
        let same = super::stat::read(pid).is_some_and(|s| s.start_ticks == start_ticks);
        if !same || !pinned.alive() {
            return Err(io::Error::from_raw_os_error(libc::ESRCH));
        }
        Ok(pinned)
    }

    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// Has the pinned process not exited? (A pidfd becomes readable when it exits.)
    pub fn alive(&self) -> bool {
        let mut p = libc::pollfd { fd: self.fd.as_raw_fd(), events: libc::POLLIN, revents: 0 };
        // SAFETY: one valid pollfd, no wait.
        let n = unsafe { libc::poll(&mut p, 1, 0) };
        n == 0
    }

    /// Fail unless the pinned process is still there (call after opening or reading
    /// `/proc/<pid>/…`: then what was opened or read is the pinned process's).
    pub fn check(&self) -> io::Result<()> {
        if self.alive() {
            Ok(())
        } else {
            Err(io::Error::new(io::ErrorKind::NotFound, format!("process {} exited (its pid is no longer its own)", self.pid)))
        }
    }

    /// `/proc/<pid>/<rel>` opened as a directory (`root`, `cwd`), the pinned process's own.
    pub fn open_dir(&self, rel: &str) -> io::Result<OwnedFd> {
        let fd = crate::agent::safefs::open_dir_path(std::path::Path::new(&format!("/proc/{}/{rel}", self.pid)))?;
        self.check()?;
        Ok(fd)
    }
}

/// Pin every process of a listing, then keep those that a second listing, made while the pins
/// hold, still names: a PID listed once may have been given to another process before it was
/// pinned, but not after. `list` is the membership (the container's cgroup, its PID namespace);
/// `None` from the second call keeps every pin (nothing to check against). Returns the pins, in
/// the listing's order, and each PID left out with why.
pub fn pin_members(list: impl Fn() -> Option<Vec<i32>>, first: Vec<i32>) -> (Vec<Pinned>, Vec<(i32, String)>) {
    let mut pins = Vec::with_capacity(first.len());
    let mut left = Vec::new();
    for pid in first {
        let pinned = super::stat::read(pid)
            .ok_or_else(|| io::Error::from_raw_os_error(libc::ESRCH))
            .and_then(|st| Pinned::open(pid, st.start_ticks));
        match pinned {
            Ok(p) => pins.push(p),
            Err(e) => left.push((pid, format!("exited before it could be pinned ({e})"))),
        }
    }
    if let Some(now) = list() {
        pins.retain(|p| {
            let member = now.contains(&p.pid);
            if !member {
                left.push((p.pid, "no longer a process of the container (its PID was reused)".to_string()));
            }
            member
        });
    }
    (pins, left)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_holds_its_process_and_fails_once_it_exited() {
        let mut child = std::process::Command::new("sleep").arg("100").spawn().unwrap();
        let pid = child.id() as i32;
        let start = super::super::stat::read(pid).unwrap().start_ticks;
        assert!(Pinned::open(pid, start + 1).is_err(), "another start time is another process");
        let pin = Pinned::open(pid, start).unwrap();
        assert!(pin.alive());
        assert!(pin.open_dir("root").is_ok());
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(!pin.alive());
        assert!(pin.check().is_err() && pin.open_dir("root").is_err());
        assert!(Pinned::open(pid, start).is_err());
    }

    #[test]
    fn members_are_pinned_and_a_pid_the_second_listing_lacks_is_left_out() {
        let mut a = std::process::Command::new("sleep").arg("100").spawn().unwrap();
        let mut b = std::process::Command::new("sleep").arg("100").spawn().unwrap();
        let (pa, pb) = (a.id() as i32, b.id() as i32);
        let (pins, left) = pin_members(|| Some(vec![pa]), vec![pa, pb]);
        assert_eq!(pins.iter().map(Pinned::pid).collect::<Vec<_>>(), vec![pa]);
        assert!(left.len() == 1 && left[0].0 == pb && left[0].1.contains("reused"), "{left:?}");
        b.kill().unwrap();
        b.wait().unwrap();
        let (pins, left) = pin_members(|| None, vec![pa, pb]);
        assert_eq!(pins.len(), 1);
        assert!(left[0].0 == pb && left[0].1.contains("exited before it could be pinned"), "{left:?}");
        a.kill().unwrap();
        a.wait().unwrap();
    }
}
