//! CPU time of the cluster's processes, from `/proc/<pid>/stat`: a process
//! and every child it has (PostgreSQL's backends and helpers under the
//! postmaster, nginx's workers under its master), including the children
//! that have ended and been reaped (the parent's `cutime` and `cstime`).

use std::time::Instant;

/// CPU seconds of a group of processes at one moment.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    at: Instant,
    seconds: f64,
}

impl Sample {
    /// Cores used on average since `earlier`.
    pub fn cores_since(&self, earlier: &Sample) -> f64 {
        let wall = (self.at - earlier.at).as_secs_f64().max(1e-6);
        let cores = (self.seconds - earlier.seconds) / wall;
        (cores * 100.0).round() / 100.0
    }
}

/// The CPU time of `pid` and of its children, living or reaped.
pub fn of_tree(pid: u32) -> Sample {
    let at = Instant::now();
    let mut ticks = stat(pid).map_or(0, |s| s.own + s.reaped_children);
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(child) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
            continue;
        };
        if let Some(s) = stat(child).filter(|s| s.parent == pid) {
            ticks += s.own;
        }
    }
    Sample {
        at,
        seconds: ticks as f64 / clock_ticks(),
    }
}

/// The CPU time of one process (all its threads), without its children.
pub fn of_process(pid: u32) -> Sample {
    Sample {
        at: Instant::now(),
        seconds: stat(pid).map_or(0, |s| s.own) as f64 / clock_ticks(),
    }
}

/// Sums samples taken together (two instances, say).
pub fn sum(samples: &[Sample]) -> Sample {
    Sample {
        at: samples.first().map_or_else(Instant::now, |s| s.at),
        seconds: samples.iter().map(|s| s.seconds).sum(),
    }
}

struct Stat {
    parent: u32,
    /// `utime + stime`, in clock ticks.
    own: u64,
    /// `cutime + cstime`: children that ended and were waited for.
    reaped_children: u64,
}

fn stat(pid: u32) -> Option<Stat> {
    parse(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// Reads a `/proc/<pid>/stat` line; the command name, in parentheses, may
/// hold spaces, so the fields are counted from its closing parenthesis.
fn parse(line: &str) -> Option<Stat> {
    let rest = &line[line.rfind(')')? + 1..];
    let fields: Vec<u64> = rest
        .split_whitespace()
        .skip(1) // the state letter
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    // Fields 4 (ppid) and 14 to 17 (utime, stime, cutime, cstime) of proc(5).
    let field = |n: usize| fields.get(n - 4).copied();
    Some(Stat {
        parent: field(4)? as u32,
        own: field(14)? + field(15)?,
        reaped_children: field(16)? + field(17)?,
    })
}

fn clock_ticks() -> f64 {
    // SAFETY: `sysconf` only reads a system setting.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 { ticks as f64 } else { 100.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_parent_and_times_past_a_name_with_spaces() {
        let line = "4242 (postgres: wal sender) S 17 4242 4242 0 -1 4194560 \
                    100 0 0 0 250 50 7 3 20 0 1 0 1000 100000 2000";
        let stat = parse(line).expect("a stat line");
        assert_eq!(stat.parent, 17);
        assert_eq!(stat.own, 300);
        assert_eq!(stat.reaped_children, 10);
    }

    #[test]
    fn this_process_has_a_parent_and_used_some_time() {
        let stat = stat(std::process::id()).expect("our own stat");
        assert!(stat.parent > 0);
    }
}
