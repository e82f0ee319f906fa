//! Offline challenge-response recovery of a forgotten admin password.
//!
//! Bank-card terminals send the merchant to a service desk that checks the
//! serial number and resets the password. Here the desk does not need to
//! reach the till:
//!
//! 1. The vendor keeps a **master key** (at least 32 random bytes) at the
//!    service desk. Each till is provisioned with only its **till key**,
//!    `HMAC-SHA256(master, "till-kiosk/till-key/v1" ‖ serial)`, so one till's
//!    key reveals neither the master nor another till's key.
//! 2. The till shows a **challenge**: its serial and a fresh random nonce.
//! 3. The desk, with the master key, derives the till key from the serial and
//!    reads back the **response**: 12 digits of
//!    `HMAC-SHA256(till key, "till-kiosk/recovery/v1" ‖ serial ‖ nonce)`.
//! 4. The till checks the response against its stored challenge. It is good
//!    once, for that till and that challenge, for 24 hours; attempts are
//!    throttled like sign-ins and a challenge dies after a few bad codes.

use super::clock::WallTime;
use super::power::PowerTime;
use super::secret::Secret;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::fmt;
use std::str::FromStr;
use zeroize::Zeroizing;

/// Digits in a response code (at most 12, so it can be read over the phone).
pub const RESPONSE_DIGITS: usize = 12;
/// Digits in a challenge nonce.
pub const NONCE_DIGITS: usize = 8;
/// Shortest master key accepted, in bytes.
pub const MIN_MASTER_KEY_BYTES: usize = 32;

/// A till's recovery key: derived from the master key and the serial.
#[derive(Clone, PartialEq, Eq)]
pub struct TillKey(Zeroizing<[u8; 32]>);

impl fmt::Debug for TillKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TillKey(***)")
    }
}

/// Recovery material that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecoveryError {
    /// The master key file is too short to be a real key.
    #[error("master key is {0} bytes: it must be at least {MIN_MASTER_KEY_BYTES} random bytes")]
    MasterKeyTooShort(usize),
    /// A stored till key is not 64 hex digits.
    #[error("till key is not 64 hexadecimal digits")]
    BadTillKey,
    /// A challenge that is not `SERIAL-NONCE`.
    #[error("invalid challenge {0:?}: expected SERIAL-NONCE, e.g. 10000000a1b2c3d4-12345678")]
    BadChallenge(String),
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC takes keys of any length; new_from_slice cannot fail for it.
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("hmac accepts any key length");
    for p in parts {
        // Length-prefix each part so ("ab","c") and ("a","bc") differ.
        mac.update(&(p.len() as u64).to_be_bytes());
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

impl TillKey {
    /// Derives a till's key from the vendor master key and its serial.
    pub fn derive(master: &[u8], serial: &str) -> Result<TillKey, RecoveryError> {
        if master.len() < MIN_MASTER_KEY_BYTES {
            return Err(RecoveryError::MasterKeyTooShort(master.len()));
        }
        Ok(TillKey(Zeroizing::new(hmac(
            master,
            &[b"till-kiosk/till-key/v1", serial.as_bytes()],
        ))))
    }

    /// The key as 64 hex digits, for the key file.
    pub fn to_hex(&self) -> Zeroizing<String> {
        let mut s = Zeroizing::new(String::with_capacity(64));
        for b in self.0.iter() {
            s.push_str(&format!("{b:02x}"));
        }
        s
    }

    /// Reads the hex written by [`to_hex`](TillKey::to_hex).
    pub fn from_hex(hex: &str) -> Result<TillKey, RecoveryError> {
        let hex = hex.trim();
        if hex.len() != 64 || !hex.is_ascii() {
            return Err(RecoveryError::BadTillKey);
        }
        let mut key = Zeroizing::new([0u8; 32]);
        for (i, k) in key.iter_mut().enumerate() {
            *k = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)
                .map_err(|_| RecoveryError::BadTillKey)?;
        }
        Ok(TillKey(key))
    }

    /// The response code for `challenge`.
    pub fn response(&self, challenge: &Challenge) -> Secret {
        let mac = hmac(
            self.0.as_slice(),
            &[
                b"till-kiosk/recovery/v1",
                challenge.serial.as_bytes(),
                challenge.nonce.as_bytes(),
            ],
        );
        let n = u64::from_be_bytes(mac[..8].try_into().unwrap_or([0; 8]));
        Secret::new(format!("{:012}", n % 1_000_000_000_000))
    }

    /// Whether `code` is the response to `challenge`. Spaces and dashes in
    /// the typed code are ignored; the comparison takes the same time
    /// whatever matches.
    pub fn check(&self, challenge: &Challenge, code: &Secret) -> bool {
        // Sized once: no partial copy of the code is left by a reallocation.
        let mut typed = Zeroizing::new(Vec::with_capacity(code.expose().len()));
        typed.extend(code.expose().bytes().filter(|b| !matches!(b, b' ' | b'-')));
        let want = self.response(challenge);
        let want = want.expose().as_bytes();
        typed.len() == want.len()
            && typed
                .iter()
                .zip(want)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

/// What the till shows and the desk types into `tillctl recovery respond`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    /// The terminal serial.
    pub serial: String,
    /// Fresh random digits.
    pub nonce: String,
}

impl Challenge {
    /// A challenge for `serial` with a nonce from the OS random source.
    pub fn fresh(serial: &str) -> Result<Challenge, getrandom::Error> {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b)?;
        let n = u64::from_be_bytes(b) % 10u64.pow(NONCE_DIGITS as u32);
        Ok(Challenge {
            serial: serial.to_owned(),
            nonce: format!("{n:0width$}", width = NONCE_DIGITS),
        })
    }

    /// The nonce in groups of four, for reading aloud.
    pub fn nonce_grouped(&self) -> String {
        group4(&self.nonce)
    }
}

/// Digits in groups of four: "1234 5678 9012".
pub fn group4(digits: &str) -> String {
    digits
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

impl fmt::Display for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.serial, self.nonce)
    }
}

impl FromStr for Challenge {
    type Err = RecoveryError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || RecoveryError::BadChallenge(s.to_owned());
        let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        let (serial, nonce) = compact.rsplit_once('-').ok_or_else(bad)?;
        if serial.is_empty()
            || !serial.chars().all(|c| c.is_ascii_alphanumeric())
            || nonce.len() != NONCE_DIGITS
            || !nonce.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        Ok(Challenge {
            serial: serial.to_ascii_lowercase(),
            nonce: nonce.to_owned(),
        })
    }
}

/// A challenge the till has shown and is waiting for the answer to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingChallenge {
    /// The challenge.
    pub challenge: Challenge,
    /// When it was issued, in powered-on time.
    pub issued_power: PowerTime,
    /// When it was issued, by the wall clock.
    pub issued_wall: WallTime,
    /// Wrong codes typed for this challenge.
    pub bad_codes: u32,
}

impl PendingChallenge {
    /// Whether it is older than `ttl_ms` by powered-on time or by the wall
    /// clock, whichever says so first (the wall clock alone can be set back;
    /// powered-on time alone does not count a till left off for a week).
    pub fn expired(&self, now_power: PowerTime, now_wall: WallTime, ttl_ms: u64) -> bool {
        let by_power = now_power.0.saturating_sub(self.issued_power.0) >= ttl_ms;
        let by_wall = now_wall.0.saturating_sub(self.issued_wall.0)
            >= i64::try_from(ttl_ms).unwrap_or(i64::MAX);
        by_power || by_wall
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MASTER: &[u8; 32] = b"0123456789abcdef0123456789abcdef";

    fn ch(serial: &str, nonce: &str) -> Challenge {
        Challenge {
            serial: serial.into(),
            nonce: nonce.into(),
        }
    }

    #[test]
    fn response_is_twelve_digits_and_checks() {
        let key = TillKey::derive(MASTER, "10000000a1b2c3d4").unwrap();
        let c = ch("10000000a1b2c3d4", "12345678");
        let r = key.response(&c);
        assert_eq!(r.expose().len(), RESPONSE_DIGITS);
        assert!(r.expose().bytes().all(|b| b.is_ascii_digit()));
        assert!(key.check(&c, &r));
        let spaced = Secret::new(group4(r.expose()));
        assert!(key.check(&c, &spaced));
    }

    #[test]
    fn response_is_bound_to_terminal_and_challenge() {
        let a = TillKey::derive(MASTER, "aaaa").unwrap();
        let b = TillKey::derive(MASTER, "bbbb").unwrap();
        assert_ne!(a, b);
        let c = ch("aaaa", "00000001");
        let code = a.response(&c);
        assert!(!b.check(&ch("bbbb", "00000001"), &code), "other till");
        assert!(!a.check(&ch("aaaa", "00000002"), &code), "other nonce");
        assert!(!a.check(&c, &Secret::from("000000000000")));
    }

    #[test]
    fn refuses_short_master_keys() {
        assert_eq!(
            TillKey::derive(b"short", "x"),
            Err(RecoveryError::MasterKeyTooShort(5))
        );
    }

    #[test]
    fn key_hex_round_trips() {
        let k = TillKey::derive(MASTER, "s").unwrap();
        assert_eq!(TillKey::from_hex(&k.to_hex()).unwrap(), k);
        assert!(TillKey::from_hex("zz").is_err());
        assert!(TillKey::from_hex(&"é".repeat(32)).is_err());
    }

    #[test]
    fn challenges_parse_leniently_and_strictly() {
        let c: Challenge = "10000000A1B2C3D4-1234 5678".parse().unwrap();
        assert_eq!(c, ch("10000000a1b2c3d4", "12345678"));
        assert_eq!(c.to_string(), "10000000a1b2c3d4-12345678");
        for bad in [
            "",
            "abc",
            "-12345678",
            "abc-1234",
            "ab/c-12345678",
            "abc-1234567x",
        ] {
            assert!(bad.parse::<Challenge>().is_err(), "{bad}");
        }
        let f = Challenge::fresh("s").unwrap();
        assert_eq!(f.nonce.len(), NONCE_DIGITS);
        assert_eq!(f.nonce_grouped().len(), NONCE_DIGITS + 1);
    }

    #[test]
    fn expiry_by_either_clock() {
        let p = PendingChallenge {
            challenge: ch("s", "00000000"),
            issued_power: PowerTime(1_000),
            issued_wall: WallTime(1_000),
            bad_codes: 0,
        };
        let day = 86_400_000;
        assert!(!p.expired(PowerTime(1_000 + day - 1), WallTime(1_000), day));
        assert!(p.expired(PowerTime(1_000 + day), WallTime(1_000), day));
        assert!(p.expired(PowerTime(1_000), WallTime(1_000 + day as i64), day));
        // Setting the wall clock back does not keep it alive past the power bound.
        assert!(p.expired(PowerTime(1_000 + day), WallTime(-5_000_000), day));
    }
}
