//! Operator bundles on disk: one operator list for many tills, signed
//! with Ed25519 at head office.
//!
//! A bundle is text, so it diffs in the chain's Git repository:
//!
//! ```text
//! till-kiosk-bundle 1
//! { "version": 1796234092, "operators": [ ... ], "policy": ..., "terminals": {...} }
//! signature ed25519:<public key, hex> <signature, hex>
//! ```
//!
//! The signature covers every byte before the `signature` line. Keys are
//! one line each: `NAME.pub` holds `ed25519:<64 hex digits>` (the same
//! text `bundle.public_key` takes), `NAME.key` holds
//! `ed25519-secret:<64 hex digits>` and is created mode 0600. What a
//! verified bundle does to a till is the core's business
//! (`core::till::bundle`); this module only reads, writes, signs and
//! verifies.

use crate::core::clock::WallTime;
use crate::core::hex;
use crate::core::till::{BundleContents, BundleOperator};
use crate::core::{PasswordPolicy, TillState};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use zeroize::Zeroizing;

pub mod drop_dir;

/// The first line of every bundle.
pub const MAGIC: &str = "till-kiosk-bundle 1";
/// Larger files are refused unread (99 operators take ~40 KB).
pub const MAX_BYTES: u64 = 4 << 20;

/// Why a bundle or key could not be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BundleError {
    /// Not a bundle, or damaged.
    #[error("not a till-kiosk bundle: {0}")]
    Malformed(String),
    /// Signed by a key other than the one this till trusts.
    #[error("signed by {signed_by}, but this till accepts only bundles signed by {trusted}")]
    WrongKey {
        /// The key in the file.
        signed_by: String,
        /// The key given or configured.
        trusted: String,
    },
    /// The signature does not match the contents: changed after signing.
    #[error(
        "the signature does not match the contents: the bundle was changed after it was signed"
    )]
    BadSignature,
    /// A file or directory that may not be read: a link, a FIFO, a
    /// directory others can write to.
    #[error("not used: {0}")]
    Unsafe(String),
    /// A small-order point: anyone could sign for it.
    #[error("not a usable public key: a small-order point, for which anyone can sign")]
    WeakKey,
    /// A key file cannot be read as a key.
    #[error("not a {0} key file (one line: {1}<64 hex digits>)")]
    BadKey(&'static str, &'static str),
}

/// A key that verifies bundles (`NAME.pub`, `bundle.public_key`).
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PublicKey(VerifyingKey);

impl TryFrom<String> for PublicKey {
    type Error = BundleError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<PublicKey> for String {
    fn from(k: PublicKey) -> String {
        k.to_string()
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ed25519:{}", hex(self.0.as_bytes()))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::str::FromStr for PublicKey {
    type Err = BundleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BundleError::BadKey("public", "ed25519:");
        let bytes = s
            .trim()
            .strip_prefix("ed25519:")
            .and_then(unhex32)
            .ok_or_else(bad)?;
        let key = VerifyingKey::from_bytes(&bytes).map_err(|_| bad())?;
        // A small-order point (the identity, order 2 or 4) is a point on
        // the curve but no key: signatures "verify" under it on any body.
        if key.is_weak() {
            return Err(BundleError::WeakKey);
        }
        Ok(PublicKey(key))
    }
}

/// The head office's signing key (`NAME.key`). Wiped when dropped.
pub struct SecretKey(SigningKey);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey({})", self.public())
    }
}

impl SecretKey {
    /// A new key from the operating system's random source.
    pub fn generate() -> Result<SecretKey, getrandom::Error> {
        let mut seed = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut *seed)?;
        Ok(SecretKey(SigningKey::from_bytes(&seed)))
    }

    /// Reads `NAME.key`'s text.
    pub fn parse(text: &str) -> Result<SecretKey, BundleError> {
        let seed = text
            .trim()
            .strip_prefix("ed25519-secret:")
            .and_then(unhex32)
            .map(Zeroizing::new)
            .ok_or(BundleError::BadKey("secret", "ed25519-secret:"))?;
        Ok(SecretKey(SigningKey::from_bytes(&seed)))
    }

    /// `NAME.key`'s text (a secret: write it mode 0600).
    pub fn to_file_text(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("ed25519-secret:{}\n", hex(&self.0.to_bytes())))
    }

    /// Its public half.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }
}

/// What a bundle carries (the JSON between the first and last lines).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payload {
    /// Increases with every export (by default the export's Unix time).
    pub version: u64,
    /// When it was exported (RFC 3339).
    pub created: String,
    /// The policy, if the bundle sets one (never below a till's floor).
    #[serde(default)]
    pub policy: Option<PasswordPolicy>,
    /// Terminal names by serial number.
    #[serde(default)]
    pub terminals: BTreeMap<String, String>,
    /// The group of tills it is for (their `bundle.scope`). A till with a
    /// scope takes only bundles for its scope or its serial; a bundle
    /// with a scope or serials is refused by tills too old to read them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The tills it is for, by serial.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub serials: Vec<String>,
    /// Every operator the tills should have.
    pub operators: Vec<BundleOperator>,
}

impl Payload {
    /// The operators and policy of `state`, for export.
    pub fn from_state(
        state: &TillState,
        version: u64,
        created: WallTime,
        terminals: BTreeMap<String, String>,
    ) -> Payload {
        Payload {
            version,
            created: created.rfc3339(),
            policy: state.policy.clone(),
            terminals,
            scope: None,
            serials: Vec::new(),
            operators: state
                .operators
                .values()
                .map(|o| BundleOperator {
                    number: o.id,
                    name: o.name.clone(),
                    role: o.role,
                    enabled: o.enabled,
                    hash: o.password.hash.clone(),
                    password_set: o.password.set_at,
                    must_change: o.password.must_change,
                })
                .collect(),
        }
    }
}

/// A bundle whose signature checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Its contents.
    pub payload: Payload,
    /// SHA-256 of the signed bytes, hex.
    pub digest: String,
    /// Who signed it.
    pub signed_by: PublicKey,
}

impl Verified {
    /// When head office made it. Unreadable: as old as can be, so
    /// nothing at the till is undone by it.
    pub fn made(&self) -> WallTime {
        WallTime::parse_rfc3339(&self.payload.created).unwrap_or(WallTime(0))
    }

    /// What it asks of the till with serial `serial`.
    pub fn for_till(&self, serial: Option<&str>) -> BundleContents {
        BundleContents {
            version: self.payload.version,
            digest: self.digest.clone(),
            operators: self.payload.operators.clone(),
            policy: self.payload.policy.clone(),
            terminal_name: serial.and_then(|s| self.payload.terminals.get(s).cloned()),
            made: self.made(),
            scope: self.payload.scope.clone(),
            serials: self.payload.serials.clone(),
        }
    }
}

/// Writes and signs a bundle.
pub fn sign(payload: &Payload, key: &SecretKey) -> String {
    let json = serde_json::to_string_pretty(payload).unwrap_or_default();
    let body = format!("{MAGIC}\n{json}\n");
    let sig = key.0.sign(body.as_bytes());
    format!(
        "{body}signature {} {}\n",
        key.public(),
        hex(&sig.to_bytes())
    )
}

/// Checks a bundle's signature against `trusted` and reads it.
pub fn verify(bytes: &[u8], trusted: &PublicKey) -> Result<Verified, BundleError> {
    let malformed = |why: &str| BundleError::Malformed(why.into());
    // The whole first line: "till-kiosk-bundle 12" is a later format,
    // not this one.
    let first_line = format!("{MAGIC}\n");
    let not_magic = || malformed(&format!("the first line is not {MAGIC:?}"));
    if !bytes.starts_with(first_line.as_bytes()) {
        return Err(not_magic());
    }
    let trimmed = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let at = trimmed
        .iter()
        .rposition(|&b| b == b'\n')
        .map(|i| i + 1)
        .ok_or_else(|| malformed("no signature line"))?;
    let (body, last) = bytes.split_at(at);
    let last =
        std::str::from_utf8(last).map_err(|_| malformed("the signature line is not text"))?;
    let mut parts = last
        .trim_end()
        .strip_prefix("signature ")
        .ok_or_else(|| malformed("the last line is not a signature"))?
        .split(' ');
    let (Some(key), Some(sig), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(malformed("the signature line is not `signature KEY SIG`"));
    };
    let signed_by: PublicKey = key
        .parse()
        .map_err(|_| malformed("the signature line's key"))?;
    if signed_by != *trusted {
        return Err(BundleError::WrongKey {
            signed_by: signed_by.to_string(),
            trusted: trusted.to_string(),
        });
    }
    let sig = unhex::<64>(sig)
        .map(|b| Signature::from_bytes(&b))
        .ok_or_else(|| malformed("the signature is not 128 hex digits"))?;
    // Strict: no small-order R, no non-canonical S.
    trusted
        .0
        .verify_strict(body, &sig)
        .map_err(|_| BundleError::BadSignature)?;
    // Signed: from here on the contents are head office's.
    let json = body
        .strip_prefix(first_line.as_bytes())
        .ok_or_else(not_magic)?;
    let payload: Payload = serde_json::from_slice(json)
        .map_err(|e| BundleError::Malformed(format!("its contents: {e}")))?;
    Ok(Verified {
        payload,
        digest: hex(&Sha256::digest(body)),
        signed_by,
    })
}

fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    if s.len() != 2 * N || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

fn unhex32(s: &str) -> Option<[u8; 32]> {
    unhex::<32>(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload() -> Payload {
        Payload {
            version: 7,
            created: "2026-12-02T00:00:00Z".into(),
            policy: None,
            terminals: BTreeMap::from([("10000000a1b2c3d4".into(), "Shop 3, till 2".into())]),
            scope: None,
            serials: Vec::new(),
            operators: Vec::new(),
        }
    }

    #[test]
    fn a_signed_bundle_verifies_and_names_this_till() {
        let k = SecretKey::generate().unwrap();
        let text = sign(&payload(), &k);
        let v = verify(text.as_bytes(), &k.public()).unwrap();
        assert_eq!(v.payload, payload());
        let c = v.for_till(Some("10000000a1b2c3d4"));
        assert_eq!(c.terminal_name.as_deref(), Some("Shop 3, till 2"));
        assert_eq!(v.for_till(Some("other")).terminal_name, None);
    }

    #[test]
    fn every_changed_byte_is_refused() {
        let k = SecretKey::generate().unwrap();
        let text = sign(&payload(), &k).into_bytes();
        let sig_line = text[..text.len() - 1]
            .iter()
            .rposition(|&b| b == b'\n')
            .unwrap();
        for i in 0..sig_line {
            let mut t = text.clone();
            t[i] ^= 0x01;
            assert!(verify(&t, &k.public()).is_err(), "byte {i} changed");
        }
    }

    #[test]
    fn another_key_is_refused_by_name() {
        let k = SecretKey::generate().unwrap();
        let other = SecretKey::generate().unwrap();
        let text = sign(&payload(), &k);
        assert!(matches!(
            verify(text.as_bytes(), &other.public()),
            Err(BundleError::WrongKey { .. })
        ));
        // Claiming the trusted key on the signature line does not help.
        let forged = text.replace(&k.public().to_string(), &other.public().to_string());
        assert_eq!(
            verify(forged.as_bytes(), &other.public()),
            Err(BundleError::BadSignature)
        );
    }

    #[test]
    fn a_bundle_is_as_old_as_head_office_says_or_as_old_as_can_be() {
        let k = SecretKey::generate().unwrap();
        let v = verify(sign(&payload(), &k).as_bytes(), &k.public()).unwrap();
        let made = WallTime::parse_rfc3339("2026-12-02T00:00:00Z").unwrap();
        assert_ne!(made, WallTime(0));
        assert_eq!(v.made(), made);
        assert_eq!(v.for_till(None).made, made);
        let mut p = payload();
        p.created = "yesterday".into();
        let v = verify(sign(&p, &k).as_bytes(), &k.public()).unwrap();
        assert_eq!(v.made(), WallTime(0));
    }

    #[test]
    fn a_later_format_is_not_read_as_this_one() {
        let k = SecretKey::generate().unwrap();
        let text = sign(&payload(), &k);
        let later = text.replacen(MAGIC, &format!("{MAGIC}2"), 1);
        // Signed as it is, so only the first line can refuse it.
        let body = &later[..later.rfind("signature ").unwrap()];
        let sig = hex(&k.0.sign(body.as_bytes()).to_bytes());
        let later = format!("{body}signature {} {sig}\n", k.public());
        assert!(
            matches!(
                verify(later.as_bytes(), &k.public()),
                Err(BundleError::Malformed(_))
            ),
            "{later}"
        );
    }

    #[test]
    fn a_public_key_reads_back_from_config_text_and_shows_itself() {
        let k = SecretKey::generate().unwrap().public();
        let json = serde_json::to_string(&k).unwrap();
        assert_eq!(json, format!("\"{k}\""));
        assert_eq!(serde_json::from_str::<PublicKey>(&json).unwrap(), k);
        assert!(serde_json::from_str::<PublicKey>("\"ed25519:00\"").is_err());
        // In logs and errors, a key is its text.
        assert_eq!(format!("{k:?}"), k.to_string());
    }

    #[test]
    fn a_secret_key_in_a_log_shows_only_its_public_half() {
        let k = SecretKey::generate().unwrap();
        let shown = format!("{k:?}");
        assert_eq!(shown, format!("SecretKey({})", k.public()));
        let secret = k.to_file_text();
        let digits = secret.trim().strip_prefix("ed25519-secret:").unwrap();
        assert!(!shown.contains(digits));
    }

    #[test]
    fn non_ascii_key_text_of_the_right_length_is_refused_not_a_panic() {
        // 64 bytes: slicing it two bytes at a time would split an "é".
        let digits = format!("0{}0", "é".repeat(31));
        assert_eq!(digits.len(), 64);
        let text = format!("ed25519:{digits}");
        assert!(text.parse::<PublicKey>().is_err());
        let text = format!("ed25519-secret:{digits}");
        assert!(SecretKey::parse(&text).is_err());
    }

    #[test]
    fn keys_read_back_and_junk_is_not_a_key() {
        let k = SecretKey::generate().unwrap();
        let back = SecretKey::parse(&k.to_file_text()).unwrap();
        assert_eq!(back.public(), k.public());
        let p: PublicKey = k.public().to_string().parse().unwrap();
        assert_eq!(p, k.public());
        for junk in [
            "",
            "ed25519:",
            "ed25519:zz",
            "ssh-ed25519 AAAA",
            &"0".repeat(64),
        ] {
            assert!(junk.parse::<PublicKey>().is_err(), "{junk:?}");
            assert!(SecretKey::parse(junk).is_err(), "{junk:?}");
        }
        for junk in [
            "",
            "x",
            "till-kiosk-bundle 1\n",
            "till-kiosk-bundle 1\n{}\nsignature a b c\n",
        ] {
            assert!(matches!(
                verify(junk.as_bytes(), &k.public()),
                Err(BundleError::Malformed(_))
            ));
        }
    }
}
