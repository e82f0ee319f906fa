//! The operating system, as the rest of the crate needs it: the real
//! clocks, whether a directory survives a reboot, the terminal serial, the
//! user running a command, and the Unix sockets the kiosk listens on (how
//! they appear, how a client's lines are read). Everything else goes
//! through these.
//!
//! Just over ~600 lines with its tests (about 520 without): every
//! system call the crate makes sits here, so a reviewer reads one file.

use crate::core::clock::{BootInstant, Clock, WallTime};
use nix::sys::statfs::{FsType, fstatfs, statfs};
use nix::time::{ClockId, clock_gettime};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::SystemTime;

/// The real clocks: `SystemTime` for the wall, `CLOCK_BOOTTIME` and the
/// kernel's boot id for lockout waits.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

/// Reads the kernel's boot id from `path`. When it cannot be read (no
/// /proc, or a sandbox hiding /proc/sys/kernel/random), the id is unknown:
/// a random token for this process, marked as unknown so that
/// [`crate::core::power`] credits no time across it. Treating an unknown id
/// as "a new boot" would credit this boot's whole uptime at every process
/// start, and so void a running wait.
pub fn boot_id_from(path: &Path) -> String {
    match std::fs::read_to_string(path) {
        Ok(s) if !s.trim().is_empty() => s.trim().to_owned(),
        _ => {
            let mut b = [0u8; 16];
            // Without randomness, the pid still separates processes; an
            // unknown id credits nothing whatever its text.
            let token = match getrandom::fill(&mut b) {
                Ok(()) => crate::core::hex(&b),
                Err(_) => std::process::id().to_string(),
            };
            format!("{}{token}", crate::core::clock::UNKNOWN_BOOT_PREFIX)
        }
    }
}

fn boot_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        let id = boot_id_from(Path::new("/proc/sys/kernel/random/boot_id"));
        if !crate::core::clock::boot_id_known(&id) {
            tracing::warn!(
                "the kernel's boot id cannot be read: lockout waits count only while this process runs"
            );
        }
        id
    })
}

impl Clock for SystemClock {
    fn wall(&self) -> WallTime {
        WallTime::from_system(SystemTime::now())
    }

    fn boot(&self) -> BootInstant {
        let since_boot_ms = clock_gettime(ClockId::CLOCK_BOOTTIME)
            .map(|t| {
                let ms = i128::from(t.tv_sec()) * 1000 + i128::from(t.tv_nsec()) / 1_000_000;
                u64::try_from(ms).unwrap_or(0)
            })
            .unwrap_or(0);
        BootInstant {
            boot_id: boot_id().to_owned(),
            since_boot_ms,
        }
    }
}

#[cfg(feature = "test-hooks")]
mod fake_clock;
#[cfg(feature = "test-hooks")]
pub use fake_clock::{FAKE_CLOCK_ENV, FileClock};

/// The clock this process uses: the real one. In a build with the
/// `test-hooks` feature (tests only, never packaged), `FAKE_CLOCK_ENV`
/// may name a simulated clock file instead, announced on standard error.
pub fn clock() -> std::sync::Arc<dyn Clock> {
    #[cfg(feature = "test-hooks")]
    if let Some(c) = FileClock::from_env() {
        eprintln!(
            "warning: using the simulated clock in {} ({FAKE_CLOCK_ENV}): a test build",
            c.path().display()
        );
        return std::sync::Arc::new(c);
    }
    std::sync::Arc::new(SystemClock)
}

/// Whether a directory's contents survive a reboot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Persistence {
    /// The file system type, by name.
    pub fs_type: String,
    /// False on tmpfs, ramfs and overlay (Raspberry Pi OS's read-only root
    /// writes to a RAM overlay that vanishes at reboot).
    pub persistent: bool,
}

const RAMFS_MAGIC: i64 = 0x8584_58f6;

fn fs_name(magic: i64) -> &'static str {
    match magic {
        0xEF53 => "ext4",
        0x0102_1994 => "tmpfs",
        RAMFS_MAGIC => "ramfs",
        0x794c_7630 => "overlay",
        0x9123_683E => "btrfs",
        0x5846_5342 => "xfs",
        0xF2F5_2010 => "f2fs",
        0x4d44 => "vfat",
        0x7371_7368 => "squashfs",
        0x6969 => "nfs",
        0x0102_1997 => "9p",
        0x6573_5546 => "fuse",
        0x2fc1_2fc1 => "zfs",
        _ => "unknown",
    }
}

/// Whether a filesystem with this statfs magic loses its contents at reboot.
#[allow(clippy::unnecessary_cast)] // fs_type_t is i64 on 64-bit targets, i32 elsewhere
pub fn is_volatile(magic: i64) -> bool {
    magic == nix::sys::statfs::TMPFS_MAGIC.0 as i64
        || magic == nix::sys::statfs::OVERLAYFS_SUPER_MAGIC.0 as i64
        || magic == RAMFS_MAGIC
}

/// Checks where `dir` lives with statfs(2).
pub fn persistence(dir: &Path) -> std::io::Result<Persistence> {
    classify(&statfs(dir).map_err(std::io::Error::from)?)
}

/// Checks where an open directory lives with fstatfs(2).
pub fn persistence_of(dir: std::os::fd::BorrowedFd<'_>) -> std::io::Result<Persistence> {
    classify(&fstatfs(dir).map_err(std::io::Error::from)?)
}

fn classify(st: &nix::sys::statfs::Statfs) -> std::io::Result<Persistence> {
    let FsType(raw) = st.filesystem_type();
    #[allow(clippy::unnecessary_cast)] // fs_type_t differs between targets
    let magic = raw as i64;
    let name = fs_name(magic);
    Ok(Persistence {
        fs_type: if name == "unknown" {
            format!("0x{magic:x}")
        } else {
            name.to_owned()
        },
        persistent: !is_volatile(magic),
    })
}

/// Where the terminal serial came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SerialSource {
    /// The device tree (`/proc/device-tree/serial-number`).
    DeviceTree,
    /// `/proc/cpuinfo`'s `Serial` line.
    Cpuinfo,
    /// `/etc/machine-id`.
    MachineId,
    /// A random id created once in the state directory.
    StateDir,
}

impl std::fmt::Display for SerialSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SerialSource::DeviceTree => "device tree",
            SerialSource::Cpuinfo => "/proc/cpuinfo",
            SerialSource::MachineId => "/etc/machine-id",
            SerialSource::StateDir => "random id in the state directory",
        })
    }
}

/// Cleans a serial as read: lowercase alphanumerics, not all zeros.
pub fn clean_serial(raw: &str) -> Option<String> {
    let s: String = raw
        .trim_matches(|c: char| c == '\0' || c.is_whitespace())
        .to_ascii_lowercase();
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.chars().all(|c| c.is_ascii_alphanumeric())
        && s.chars().any(|c| c != '0');
    ok.then_some(s)
}

/// Reads the `Serial` line of a `/proc/cpuinfo` text.
pub fn serial_from_cpuinfo(text: &str) -> Option<String> {
    text.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim() == "Serial")
        .and_then(|(_, v)| clean_serial(v))
}

/// The serial from the hardware or OS, if any (the state-dir fallback is
/// the store's job, see [`crate::store::Txn::terminal_id`]).
pub fn hardware_serial() -> Option<(String, SerialSource)> {
    for p in [
        "/proc/device-tree/serial-number",
        "/sys/firmware/devicetree/base/serial-number",
    ] {
        if let Some(s) = std::fs::read_to_string(p)
            .ok()
            .and_then(|t| clean_serial(&t))
        {
            return Some((s, SerialSource::DeviceTree));
        }
    }
    if let Some(s) = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| serial_from_cpuinfo(&t))
    {
        return Some((s, SerialSource::Cpuinfo));
    }
    std::fs::read_to_string("/etc/machine-id")
        .ok()
        .and_then(|t| clean_serial(&t))
        .map(|s| (s, SerialSource::MachineId))
}

/// Keeps passwords out of core dumps: marks the process not dumpable
/// (`PR_SET_DUMPABLE` 0: no core file, no ptrace by the same user, its
/// /proc files root's) and sets its core size limit to 0. Both binaries
/// call it first thing; the unit's `LimitCORE=0` does the same from
/// outside, so even a watchdog abort writes no PINs to disk.
pub fn no_core_dumps() -> nix::Result<()> {
    use nix::sys::resource::{Resource, setrlimit};
    setrlimit(Resource::RLIMIT_CORE, 0, 0)?;
    nix::sys::prctl::set_dumpable(false)
}

/// "name (uid N)" for messages, or "uid N" for a user with no name.
pub fn user_label(uid: u32) -> String {
    match nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid)) {
        Ok(Some(u)) => format!("{} (uid {uid})", u.name),
        _ => format!("uid {uid}"),
    }
}

/// Why this process cannot act on a directory as its owner.
#[derive(Debug, thiserror::Error)]
pub enum OwnerError {
    /// Not root, and not the owner.
    #[error("state directory {} belongs to {owner}, not to {me}; run this as {owner_name} (sudo -u {owner_name} ...)", dir.display())]
    NotOwner {
        /// The directory.
        dir: PathBuf,
        /// Its owner, labelled.
        owner: String,
        /// Its owner's name (or uid) for the command line.
        owner_name: String,
        /// Who runs this, labelled.
        me: String,
    },
    /// Root could not become the owner.
    #[error("unable to act as {owner}, the owner of {}: {source}", dir.display())]
    Switch {
        /// The directory.
        dir: PathBuf,
        /// Its owner, labelled.
        owner: String,
        /// Why.
        source: nix::Error,
    },
}

/// Makes this process act as the owner of the state directory `dir`, so
/// that every file it writes there belongs to the service user and not to
/// root (a root-owned `state.json` would put the kiosk out of service).
/// Root switches to the owner (its uid, primary group and supplementary
/// groups) for the rest of the process; anyone else must be the owner.
/// A directory that does not exist yet changes nothing. Returns the owner
/// when the process switched.
pub fn act_as_owner_of(dir: &Path) -> Result<Option<String>, OwnerError> {
    use nix::unistd::{Gid, Uid, User};
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(dir) else {
        return Ok(None);
    };
    let (owner, me) = (meta.uid(), Uid::effective());
    if owner == me.as_raw() {
        return Ok(None);
    }
    let user = User::from_uid(Uid::from_raw(owner)).ok().flatten();
    if !me.is_root() {
        return Err(OwnerError::NotOwner {
            dir: dir.to_owned(),
            owner: user_label(owner),
            owner_name: user.map_or_else(|| format!("#{owner}"), |u| u.name),
            me: user_label(me.as_raw()),
        });
    }
    let gid = user.as_ref().map_or(Gid::from_raw(meta.gid()), |u| u.gid);
    let switch = || -> nix::Result<()> {
        match &user {
            Some(u) => {
                let name =
                    std::ffi::CString::new(u.name.as_str()).map_err(|_| nix::Error::EINVAL)?;
                nix::unistd::initgroups(&name, gid)?
            }
            None => nix::unistd::setgroups(&[gid])?,
        }
        nix::unistd::setresgid(gid, gid, gid)?;
        nix::unistd::setresuid(
            Uid::from_raw(owner),
            Uid::from_raw(owner),
            Uid::from_raw(owner),
        )
    };
    switch().map_err(|source| OwnerError::Switch {
        dir: dir.to_owned(),
        owner: user_label(owner),
        source,
    })?;
    Ok(Some(user_label(owner)))
}

/// The uid and name of the user running this process.
pub fn current_user() -> (u32, String) {
    let uid = nix::unistd::getuid();
    let name = nix::unistd::User::from_uid(uid)
        .ok()
        .flatten()
        .map(|u| u.name)
        .unwrap_or_else(|| uid.to_string());
    (uid.as_raw(), name)
}

/// The listening Unix socket bound to `path` that systemd passed in
/// (socket activation: `LISTEN_FDS`), if any.
pub fn inherited_listener(path: &Path) -> Option<std::os::unix::net::UnixListener> {
    use nix::sys::socket::{UnixAddr, getsockname, getsockopt, sockopt};
    use std::os::fd::{BorrowedFd, FromRawFd};
    let fds = sd_notify::listen_fds().ok()?;
    for fd in fds {
        // SAFETY: systemd passed these fds to this process to keep; they
        // stay open while borrowed here.
        let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
        let listening = getsockopt(&borrowed, sockopt::AcceptConn).unwrap_or(false);
        let bound = getsockname::<UnixAddr>(fd).ok();
        if listening && bound.as_ref().and_then(UnixAddr::path) == Some(path) {
            // SAFETY: as above; from here the listener owns the fd.
            return Some(unsafe { std::os::unix::net::UnixListener::from_raw_fd(fd) });
        }
    }
    None
}

/// Listens on a Unix socket at `path` with `mode` (and `group`, if given),
/// replacing a stale socket. The socket is bound under a temporary name,
/// given its mode and group, then renamed into place: a client never finds
/// a path that refuses connections (bound but not yet listening) or that
/// still has the umask's permissions.
pub fn listen_unix(
    path: &Path,
    mode: u32,
    group: Option<u32>,
) -> std::io::Result<std::os::unix::net::UnixListener> {
    use std::os::unix::fs::PermissionsExt;
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(format!(".{}.new", std::process::id()));
    let tmp = path.with_file_name(name);
    let _ = std::fs::remove_file(&tmp);
    let listener = std::os::unix::net::UnixListener::bind(&tmp)?;
    let placed = (|| {
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(mode))?;
        if let Some(g) = group {
            nix::unistd::chown(&tmp, None, Some(nix::unistd::Gid::from_raw(g)))?;
        }
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = placed {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(listener)
}

/// Reads one line of at most `max` bytes as a secret, without its line
/// ending (`Ok(None)` at the end of input). Bytes are read one at a time
/// into a buffer sized once, so no copy is left in a reader's buffer or in
/// a grown-and-freed allocation; a longer line is an error (its bytes so
/// far are wiped).
pub fn read_secret_line(
    r: &mut impl std::io::Read,
    max: usize,
) -> std::io::Result<Option<crate::core::Secret>> {
    use zeroize::Zeroizing;
    let mut buf = Zeroizing::new(Vec::with_capacity(max));
    let mut byte = [0u8; 1];
    let got_any = loop {
        match r.read(&mut byte) {
            Ok(0) => break !buf.is_empty(),
            Ok(_) if byte[0] == b'\n' => break true,
            Ok(_) if buf.len() == max => {
                zeroize::Zeroize::zeroize(&mut byte);
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("a line longer than {max} bytes"),
                ));
            }
            Ok(_) => buf.push(byte[0]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    };
    zeroize::Zeroize::zeroize(&mut byte);
    if !got_any {
        return Ok(None);
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    // The buffer moves into the secret (no copy); bad UTF-8 is wiped.
    match String::from_utf8(std::mem::take(&mut *buf)) {
        Ok(text) => Ok(Some(crate::core::Secret::new(text))),
        Err(e) => {
            drop(Zeroizing::new(e.into_bytes()));
            Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "not UTF-8 text",
            ))
        }
    }
}

/// The supplementary groups of the process at the other end of a Unix
/// socket, as the kernel recorded them when it connected (`SO_PEERGROUPS`).
/// Unlike `/proc/<pid>/status` this needs no view of the peer's process
/// (systemd's `ProtectProc=invisible` hides it) and cannot be another
/// process's after the peer exits.
pub fn peer_groups(sock: &impl std::os::fd::AsRawFd) -> std::io::Result<Vec<u32>> {
    let mut groups: Vec<nix::libc::gid_t> = vec![0; 64];
    loop {
        let mut len =
            nix::libc::socklen_t::try_from(groups.len() * std::mem::size_of::<nix::libc::gid_t>())
                .map_err(|_| std::io::Error::other("too many groups"))?;
        // SAFETY: the buffer is valid for `len` bytes, and the kernel writes
        // at most that many and says how many it wrote.
        let rc = unsafe {
            nix::libc::getsockopt(
                sock.as_raw_fd(),
                nix::libc::SOL_SOCKET,
                nix::libc::SO_PEERGROUPS,
                groups.as_mut_ptr().cast(),
                &mut len,
            )
        };
        let bytes = usize::try_from(len).unwrap_or(0);
        if rc == 0 {
            groups.truncate(bytes / std::mem::size_of::<nix::libc::gid_t>());
            return Ok(groups);
        }
        let err = std::io::Error::last_os_error();
        // Too small a buffer: the kernel said how much it needs.
        if err.raw_os_error() == Some(nix::libc::ERANGE)
            && bytes > groups.len() * std::mem::size_of::<nix::libc::gid_t>()
        {
            groups.resize(bytes / std::mem::size_of::<nix::libc::gid_t>() + 1, 0);
            continue;
        }
        return Err(err);
    }
}

/// Why [`read_line_bounded`] gave no line.
#[derive(Debug, PartialEq, Eq)]
pub enum LineError {
    /// The line was longer than allowed; it was skipped to its end.
    TooLong,
    /// The connection failed.
    Io,
}

/// Reads one line of at most `max` bytes from a socket a client writes to,
/// without its line ending (`Ok(None)` at the end of input). A longer line
/// is skipped to its newline without being kept, so a client that never
/// sends one cannot make us buffer without bound; bytes that are not UTF-8
/// become U+FFFD, so the caller can answer them instead of hanging up.
pub fn read_line_bounded(
    r: &mut impl std::io::BufRead,
    max: usize,
) -> Result<Option<String>, LineError> {
    use std::io::{BufRead, Read};
    let mut buf = Vec::new();
    let n = r
        .by_ref()
        .take(max as u64 + 1)
        .read_until(b'\n', &mut buf)
        .map_err(|_| LineError::Io)?;
    if n == 0 {
        return Ok(None);
    }
    if buf.len() > max && buf.last() != Some(&b'\n') {
        loop {
            let chunk = r.fill_buf().map_err(|_| LineError::Io)?;
            if chunk.is_empty() {
                break;
            }
            match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    r.consume(i + 1);
                    break;
                }
                None => {
                    let n = chunk.len();
                    r.consume(n);
                }
            }
        }
        return Err(LineError::TooLong);
    }
    Ok(Some(String::from_utf8_lossy(&buf).trim_end().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_socket_appears_listening_with_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("api.sock");
        std::fs::write(&path, "stale").unwrap();
        let _l = listen_unix(&path, 0o660, None).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o660);
        std::os::unix::net::UnixStream::connect(&path).unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary name left behind");
    }

    #[test]
    fn a_line_too_long_is_skipped_to_its_end_and_the_next_one_read() {
        let mut input = format!("1 2\n{}\nENTER\r\n", "9".repeat(100)).into_bytes();
        input.extend_from_slice(b"\xff x\n");
        let mut r = std::io::BufReader::with_capacity(16, &input[..]);
        assert_eq!(read_line_bounded(&mut r, 10), Ok(Some("1 2".into())));
        assert_eq!(read_line_bounded(&mut r, 10), Err(LineError::TooLong));
        assert_eq!(read_line_bounded(&mut r, 10), Ok(Some("ENTER".into())));
        assert_eq!(read_line_bounded(&mut r, 10), Ok(Some("\u{fffd} x".into())));
        assert_eq!(read_line_bounded(&mut r, 10), Ok(None));
        let endless = "x".repeat(50);
        let mut r = std::io::BufReader::new(endless.as_bytes());
        assert_eq!(
            read_line_bounded(&mut r, 10),
            Err(LineError::TooLong),
            "no newline at all"
        );
        assert_eq!(read_line_bounded(&mut r, 10), Ok(None));
    }

    #[test]
    fn secret_lines_are_read_exactly() {
        let mut r = &b"first\r\nsecond\n\nlast"[..];
        let mut next = || {
            read_secret_line(&mut r, 8)
                .unwrap()
                .map(|s| s.expose().to_owned())
        };
        assert_eq!(next().as_deref(), Some("first"));
        assert_eq!(next().as_deref(), Some("second"));
        assert_eq!(next().as_deref(), Some(""));
        assert_eq!(next().as_deref(), Some("last"));
        assert_eq!(next(), None);
        let mut long = &b"123456789\n"[..];
        assert!(read_secret_line(&mut long, 8).is_err());
        let mut bad = &b"\xff\n"[..];
        assert!(read_secret_line(&mut bad, 8).is_err());
    }

    #[test]
    fn cpuinfo_serial() {
        let text = "processor\t: 0\nHardware\t: BCM2835\nSerial\t\t: 10000000A1B2C3D4\nModel\t\t: Raspberry Pi 4";
        assert_eq!(serial_from_cpuinfo(text), Some("10000000a1b2c3d4".into()));
        assert_eq!(serial_from_cpuinfo("Serial : 0000000000000000"), None);
        assert_eq!(serial_from_cpuinfo("model name: x86"), None);
    }

    #[test]
    fn device_tree_serial_has_trailing_nul() {
        assert_eq!(
            clean_serial("00000000abcd1234\0"),
            Some("00000000abcd1234".into())
        );
        assert_eq!(clean_serial("ab/cd"), None);
    }

    #[test]
    fn volatile_filesystems() {
        assert!(is_volatile(0x0102_1994));
        assert!(is_volatile(0x794c_7630));
        assert!(is_volatile(RAMFS_MAGIC));
        assert!(!is_volatile(0xEF53));
    }

    #[test]
    fn system_clock_reads_boot_clock() {
        let c = SystemClock;
        let a = c.boot();
        let b = c.boot();
        assert_eq!(a.boot_id, b.boot_id);
        assert!(b.since_boot_ms >= a.since_boot_ms);
        assert!(a.since_boot_ms > 0);
    }
}
