//! The process's open-file limit: raised to what the system allows, and the connection cap
//! kept below it, so the listener never runs out of descriptors (`accept: Too many open
//! files`) while the store, the printer and the attachments still need some.

use tracing::{info, warn};

/// Descriptors kept for everything that is not a client connection: the database, the
/// printer, the control socket, attachments being written, the journal, backups.
pub const HEADROOM: u64 = 128;

/// Raises the soft RLIMIT_NOFILE to the hard limit; returns the soft limit in force.
pub fn raise() -> Option<u64> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes only into the struct it is given.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        warn!(error = %std::io::Error::last_os_error(), "cannot read the open-file limit");
        return None;
    }
    if lim.rlim_cur < lim.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: lim.rlim_max,
            rlim_max: lim.rlim_max,
        };
        // SAFETY: setrlimit only reads the struct it is given.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            lim.rlim_cur = lim.rlim_max;
        } else {
            warn!(soft = lim.rlim_cur, hard = lim.rlim_max, error = %std::io::Error::last_os_error(),
                "cannot raise the open-file limit");
        }
    }
    Some(lim.rlim_cur)
}

/// The connection cap that fits `nofile` (None: unknown, the configured cap stands).
pub fn cap(configured: usize, nofile: Option<u64>) -> usize {
    match nofile {
        Some(n) => {
            let fits = usize::try_from(n.saturating_sub(HEADROOM)).unwrap_or(usize::MAX);
            configured.min(fits.max(16))
        }
        None => configured,
    }
}

/// Raises the limit, sizes the cap and says both in the log.
pub fn size_cap(configured: usize) -> usize {
    let nofile = raise();
    let cap = cap(configured, nofile);
    if cap < configured {
        warn!(
            open_files = nofile,
            configured,
            cap,
            "the open-file limit is low: fewer connections than limits.max_connections (set LimitNOFILE= in the unit)"
        );
    } else {
        info!(
            open_files = nofile,
            max_connections = cap,
            "connection limits"
        );
    }
    cap
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_stays_below_the_open_file_limit() {
        assert_eq!(cap(1024, Some(8192)), 1024);
        assert_eq!(cap(1024, Some(1024)), 1024 - HEADROOM as usize);
        assert_eq!(cap(1024, None), 1024);
        assert_eq!(cap(1024, Some(10)), 16, "never below a working minimum");
    }

    #[test]
    fn the_soft_limit_is_raised_to_the_hard_one() {
        let soft = raise().expect("getrlimit");
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes only into the struct it is given.
        assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) }, 0);
        assert_eq!((soft, lim.rlim_cur), (lim.rlim_max, lim.rlim_max));
    }
}
