//! `tillctl bundle ...`: keys, signed export and verified import of
//! operator bundles (see `till_kiosk::bundle` and docs/fleet.md).

use super::*;
use std::collections::BTreeMap;
use std::os::unix::fs::OpenOptionsExt;
use till_kiosk::bundle::{self as b, PublicKey, SecretKey};

fn with_ext(name: &Path, ext: &str) -> PathBuf {
    let mut s = name.as_os_str().to_owned();
    s.push(ext);
    PathBuf::from(s)
}

/// Creates `path` (never over an existing file) with `mode` and `text`.
fn create(path: &Path, mode: u32, text: &str) -> Result<(), Failure> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()))
        .map_err(|e| Failure::new(2, format!("unable to write {}: {e}", path.display())))
}

pub(crate) fn keygen(out: &Path, json: bool) -> Res {
    let (key_path, pub_path) = (with_ext(out, ".key"), with_ext(out, ".pub"));
    for p in [&key_path, &pub_path] {
        if p.exists() {
            return Err(Failure::new(
                1,
                format!("{} exists: a signing key is never overwritten", p.display()),
            ));
        }
    }
    let key = SecretKey::generate()
        .map_err(|e| Failure::new(3, format!("no randomness from the operating system: {e}")))?;
    create(&key_path, 0o600, &key.to_file_text())?;
    create(&pub_path, 0o644, &format!("{}\n", key.public()))?;
    if json {
        println!(
            "{}",
            serde_json::json!({"key": key_path, "public": pub_path, "public_key": key.public().to_string()})
        );
    } else {
        println!(
            "wrote {} (secret, mode 0600: keep it at head office) and {}\npublic key: {}",
            key_path.display(),
            pub_path.display(),
            key.public()
        );
    }
    Ok(0)
}

fn read_text(path: &Path, what: &str) -> Result<Zeroizing<String>, Failure> {
    std::fs::read_to_string(path)
        .map(Zeroizing::new)
        .map_err(|e| Failure::new(2, format!("unable to read {what} {}: {e}", path.display())))
}

pub(crate) fn bundle(ctx: &Ctx, cmd: &BundleCmd) -> Res {
    match cmd {
        BundleCmd::Keygen { .. } => unreachable!("handled before loading config"),
        BundleCmd::Export {
            sign,
            version,
            terminal,
            scope,
            serial,
        } => {
            let key = SecretKey::parse(&read_text(sign, "signing key")?)
                .map_err(|e| Failure::new(2, format!("{}: {e}", sign.display())))?;
            let mut terminals = BTreeMap::new();
            for t in terminal {
                let Some((serial, name)) = t.split_once('=') else {
                    return Err(Failure::new(
                        2,
                        format!("--terminal {t:?}: expected SERIAL=NAME"),
                    ));
                };
                terminals.insert(serial.trim().to_owned(), name.trim().to_owned());
            }
            let svc = ctx.service()?;
            let state = svc.snapshot()?.ok_or(ServiceError::NotSetUp)?;
            let now = svc.clock().wall();
            let version = version.unwrap_or((now.0 / 1000).max(1) as u64);
            let mut payload = b::Payload::from_state(&state, version, now, terminals);
            payload.scope = scope.clone();
            payload.serials = serial.clone();
            print!("{}", b::sign(&payload, &key));
            eprintln!(
                "bundle version {version}: {} operators, signed by {}",
                payload.operators.len(),
                key.public()
            );
            Ok(0)
        }
        BundleCmd::Import { verify, bundle } => {
            let given: PublicKey = read_text(verify, "public key")?
                .parse()
                .map_err(|e| Failure::new(2, format!("{}: {e}", verify.display())))?;
            let svc = ctx.service()?;
            let actor = ctx.actor();
            let source = bundle.display().to_string();
            let refuse = |e: b::BundleError| -> Failure {
                if let Err(a) = svc.bundle_unverified(&actor, &source, &e, 0) {
                    tracing::error!("not audited: {a}");
                }
                Failure::new(1, format!("{source}: {e}"))
            };
            // A till told whose bundles to take takes no one else's.
            if let Some(trusted) = ctx.loaded.config.bundle.public_key
                && trusted != given
            {
                return Err(refuse(b::BundleError::WrongKey {
                    signed_by: given.to_string(),
                    trusted: trusted.to_string(),
                }));
            }
            let bytes = b::drop_dir::read_file(bundle).map_err(refuse)?;
            let v = b::verify(&bytes, &given).map_err(refuse)?;
            let r = svc.import_bundle(&actor, &v)?;
            ctx.print(&r, || {
                if r.already_applied {
                    format!(
                        "bundle version {} is already applied: nothing to do",
                        r.version
                    )
                } else {
                    format!(
                        "bundle version {} applied: {} added, {} changed, {} removed{}{}",
                        r.version,
                        r.added.len(),
                        r.changed.len(),
                        r.removed.len(),
                        if r.policy_changed { ", policy set" } else { "" },
                        if r.renamed { ", terminal renamed" } else { "" }
                    )
                }
            });
            Ok(0)
        }
    }
}
