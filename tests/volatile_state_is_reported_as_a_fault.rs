//! A state directory on a RAM file system, with `require_persistent_state`
//! on (the packaged config), is a fault everywhere: the kiosk shows its
//! fault screen (tests/ui_flows.rs), `tillctl auth` refuses, and `tillctl
//! status` says so and exits 3. Found by the appliance VM: with the state
//! directory on the overlay (`overlayroot=tmpfs:recurse=1`) the kiosk was
//! out of service while `tillctl status` printed "state: ok" and exited 0.

mod common;
use common::{can_run, text, tillctl_with};
use std::path::Path;

#[test]
fn status_and_auth_on_a_volatile_state_dir_exit_3() {
    // /dev/shm is tmpfs on Linux: the RAM overlay's case.
    if !can_run(Path::new("/dev/shm").is_dir(), "no /dev/shm") {
        return;
    }
    let cfg_dir = tempfile::tempdir().unwrap();
    let config = cfg_dir.path().join("config.yaml");
    std::fs::write(&config, "require_persistent_state: true\n").unwrap();
    let dir = tempfile::tempdir_in("/dev/shm").unwrap();
    let env = [("TILL_KIOSK_CONFIG", config.to_str().unwrap())];
    let status = tillctl_with(dir.path(), &["status"], "", &env);
    let out = text(&status);
    assert_eq!(status.status.code(), Some(3), "{out}");
    assert!(out.contains("lost at reboot"), "{out}");
    assert!(!out.contains("state:           ok"), "{out}");
    let json = tillctl_with(dir.path(), &["--json", "status"], "", &env);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["health"]["state"], "error", "{v}");
    let auth = tillctl_with(dir.path(), &["auth", "00"], "58273946\n", &env);
    assert_eq!(auth.status.code(), Some(3), "{}", text(&auth));
    // Nothing was written to the RAM directory.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
