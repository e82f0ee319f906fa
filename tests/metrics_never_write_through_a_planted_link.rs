//! The metrics file lives in node_exporter's textfile directory, which
//! root's own collectors and whoever runs them share. Nobody who can write
//! there may make the kiosk write anywhere else, and node_exporter (another
//! user) must be able to read what the kiosk writes under `UMask=0077`.
use std::os::unix::fs::{PermissionsExt, symlink};
use till_kiosk::metrics::write_atomic;

#[test]
fn a_link_planted_at_any_name_the_writer_used_is_not_followed() {
    let textfiles = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("state.json");
    std::fs::write(&victim, "precious").unwrap();
    // The fixed temporary name the writer used to create with File::create.
    symlink(&victim, textfiles.path().join(".till-kiosk.prom.tmp")).unwrap();
    let path = textfiles.path().join("till-kiosk.prom");
    // A failed write is allowed; a write through the link is not.
    let _ = write_atomic(&path, "till_up 1\n");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    // And the file itself planted as a link is replaced, not written through.
    std::fs::remove_file(&path).ok();
    symlink(&victim, &path).unwrap();
    write_atomic(&path, "till_up 1\n").unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "till_up 1\n");
    assert!(
        !std::fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn the_file_is_readable_by_another_user_under_the_units_umask() {
    let textfiles = tempfile::tempdir().unwrap();
    std::fs::set_permissions(textfiles.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = textfiles.path().join("till-kiosk.prom");
    // The unit's UMask=0077; this test binary runs its tests on threads,
    // but the umask is only read at file creation, so set it around the call.
    let old = nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o077));
    let written = write_atomic(&path, "till_up 1\n");
    nix::sys::stat::umask(old);
    written.unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644, "mode {mode:o}");
    // As root (CI), read it as nobody, the way node_exporter would.
    if nix::unistd::Uid::effective().is_root() {
        let out = std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "cat"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.stdout, b"till_up 1\n");
    }
}
