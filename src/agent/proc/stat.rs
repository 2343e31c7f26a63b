//! `/proc/<pid>/stat` (and `/proc/<pid>/task/<tid>/stat`): one parser for every reader.

use serde::Serialize;

/// The fields of a `stat` line this crate uses (numbered as in proc(5) in the comments).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stat {
    /// (1)
    pub pid: i32,
    /// (2) The process name, as the process set it: any bytes but NUL and newline.
    pub comm: String,
    /// (3) `R`, `S`, `D`, `T`, `Z`…
    pub state: char,
    /// (4)
    pub ppid: i32,
    /// (5)
    pub pgrp: i32,
    /// (6) session id
    pub sid: i32,
    /// (9) kernel flags (`PF_*`)
    pub flags: u64,
    /// (14)–(17) clock ticks
    pub utime: u64,
    pub stime: u64,
    pub cutime: u64,
    pub cstime: u64,
    /// (19)
    pub nice: i64,
    /// (20)
    pub threads: i64,
    /// (22) Clock ticks since boot.
    pub start_ticks: u64,
    /// (23) bytes
    pub vsize: u64,
    /// (24) pages
    pub rss_pages: i64,
}

/// Parse a `stat` line. `comm` may hold spaces and parentheses, so it ends at the LAST ')'.
/// The error says what is wrong with the line.
pub fn parse(text: &str) -> Result<Stat, &'static str> {
    let open = text.find('(').ok_or("no '(' before comm")?;
    let close = text.rfind(')').ok_or("no ')' after comm")?;
    if close < open {
        return Err("comm parentheses out of order");
    }
    let pid = text[..open].trim().parse().map_err(|_| "bad pid")?;
    let comm = text[open + 1..close].to_string();
    let rest: Vec<&str> = text[close + 1..].split_ascii_whitespace().collect();
    // rest[0] is field (3), so field (n) is rest[n - 3]
    if rest.len() < 24 - 2 {
        return Err("too few fields");
    }
    fn num<T: std::str::FromStr>(rest: &[&str], n: usize) -> Result<T, &'static str> {
        rest[n - 3].parse().map_err(|_| "non-numeric field")
    }
    Ok(Stat {
        pid,
        comm,
        state: rest[0].chars().next().unwrap_or('?'),
        ppid: num(&rest, 4)?,
        pgrp: num(&rest, 5)?,
        sid: num(&rest, 6)?,
        flags: num(&rest, 9)?,
        utime: num(&rest, 14)?,
        stime: num(&rest, 15)?,
        cutime: num(&rest, 16)?,
        cstime: num(&rest, 17)?,
        nice: num(&rest, 19)?,
        threads: num(&rest, 20)?,
        start_ticks: num(&rest, 22)?,
        vsize: num(&rest, 23)?,
        rss_pages: num(&rest, 24)?,
    })
}

/// `/proc/<pid>/stat`, or `None` when the process is gone or the line is unreadable.
pub fn read(pid: i32) -> Option<Stat> {
    let s = std::fs::read_to_string(super::process::pid_dir(pid).join("stat")).ok()?;
    parse(&s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_with_hostile_comm_parses() {
        let s = "4242 (evil) (x) R) S 17 4242 17 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 3 0 123456 8192000 150 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        let st = parse(s).unwrap();
        assert_eq!(st.pid, 4242);
        assert_eq!(st.comm, "evil) (x) R");
        assert_eq!(st.state, 'S');
        assert_eq!(st.ppid, 17);
        assert_eq!(st.threads, 3);
        assert_eq!(st.start_ticks, 123456);
        assert_eq!((st.vsize, st.rss_pages), (8192000, 150));
        assert!(parse("12 (x").is_err());
    }

    #[test]
    fn stat_fields_for_the_core_notes() {
        let s = parse("42 (a) b (c)) S 1 42 42 0 -1 4194560 1 0 0 0 7 3 0 0 20 -5 1 0 100 8192 2").unwrap();
        assert_eq!(s.pid, 42);
        assert_eq!(s.comm, "a) b (c)");
        assert_eq!((s.state, s.ppid, s.pgrp, s.sid), ('S', 1, 42, 42));
        assert_eq!((s.utime, s.stime, s.nice), (7, 3, -5));
        assert_eq!(s.flags, 4194560);
        assert!(parse("1 (x) S 1").is_err());
        assert_eq!(parse(") 1 (x"), Err("comm parentheses out of order"));
        assert_eq!(parse("x (y) S 1"), Err("bad pid"));
    }

    #[test]
    fn own_process_reads() {
        let me = std::process::id() as i32;
        let st = read(me).unwrap();
        assert_eq!(st.pid, me);
        assert!(st.ppid > 0);
        assert!(st.threads >= 1);
    }
}
