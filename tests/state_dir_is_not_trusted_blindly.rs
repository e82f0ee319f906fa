//! Whoever can write to the state directory (the kiosk's user) must not be
//! able to make a root `tillctl` write anywhere else, and a directory
//! anyone could tamper with is a fault, not a place to keep passwords.
mod common;
use common::*;
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::Path;

fn victim(path: &Path) -> std::path::PathBuf {
    std::fs::write(path, "precious").unwrap();
    path.to_owned()
}

#[test]
fn a_symlink_at_any_temporary_or_state_name_is_never_written_through() {
    let outside = tempfile::tempdir().unwrap();
    let till = Till::new();
    till.set_up();
    // The names the store used to write through: a fixed temporary name,
    // the audit log, the previous copy, the recovery key.
    let targets: Vec<_> = [".state.json.tmp", ".recovery.key.tmp", "audit.log"]
        .iter()
        .map(|name| {
            let v = victim(&outside.path().join(name.trim_start_matches('.')));
            let link = till.path().join(name);
            let _ = std::fs::remove_file(&link);
            symlink(&v, &link).unwrap();
            v
        })
        .collect();
    // A command that writes the state and the audit log.
    let out = tillctl(
        till.path(),
        &["operator", "add", "05", "--name", "Zhou Min"],
        "",
    );
    for v in &targets {
        assert_eq!(
            std::fs::read_to_string(v).unwrap(),
            "precious",
            "{} was written through a symlink",
            v.display()
        );
    }
    // The planted audit.log link is refused with a clear error.
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("symbolic link"), "{}", text(&out));
}

#[test]
fn a_symlinked_state_file_is_not_read_either() {
    let outside = tempfile::tempdir().unwrap();
    let till = Till::new();
    till.set_up();
    // A state file from elsewhere (another till's, say) linked in.
    let elsewhere = outside.path().join("state.json");
    std::fs::rename(till.path().join("state.json"), &elsewhere).unwrap();
    symlink(&elsewhere, till.path().join("state.json")).unwrap();
    let out = tillctl(till.path(), &["auth", "00"], &format!("{ADMIN_PW}\n"));
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("symbolic link"), "{}", text(&out));
}

#[test]
fn a_directory_others_may_write_to_is_a_fault() {
    let till = Till::new();
    till.set_up();
    std::fs::set_permissions(till.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = tillctl(till.path(), &["auth", "00"], &format!("{ADMIN_PW}\n"));
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("mode 0777"), "{}", text(&out));
    assert!(till.service().is_fresh().is_err());
    std::fs::set_permissions(till.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    assert!(!till.service().is_fresh().unwrap());
}

/// A directory owned by `nobody`, traversable for them.
fn nobodys_dir(tmp: &tempfile::TempDir) -> std::path::PathBuf {
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let dir = tmp.path().join("state");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    nix::unistd::chown(&dir, Some(nobody().0), Some(nobody().1)).unwrap();
    dir
}

fn nobody() -> (nix::unistd::Uid, nix::unistd::Gid) {
    let u = nix::unistd::User::from_name("nobody")
        .unwrap()
        .expect("a nobody user");
    (u.uid, u.gid)
}

#[test]
fn root_tillctl_acts_as_the_directory_owner() {
    if !can_run(is_root(), "changing to another user needs root") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = nobodys_dir(&tmp);
    let out = tillctl(
        &dir,
        &["init", "--name", "Wang Fang"],
        &format!("{ADMIN_PW}\n"),
    );
    assert!(out.status.success(), "{}", text(&out));
    for entry in std::fs::read_dir(&dir).unwrap() {
        let entry = entry.unwrap();
        assert_eq!(
            entry.metadata().unwrap().uid(),
            nobody().0.as_raw(),
            "{} belongs to the directory's owner, not root",
            entry.path().display()
        );
    }
}

#[test]
fn a_directory_of_another_user_is_a_fault_for_the_kiosk_side() {
    if !can_run(is_root(), "giving a directory to another user needs root") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = nobodys_dir(&tmp);
    // The service (as the kiosk builds it) runs as root here, not as the
    // directory's owner: it refuses rather than leave root-owned files.
    let store = till_kiosk::store::FileStore::new(&dir, Default::default());
    let err = till_kiosk::store::Backend::lock(&store)
        .err()
        .expect("refused");
    assert!(err.to_string().contains("belongs to nobody"), "{err}");
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "nothing written"
    );
}
