//! argon2id password hashes as PHC strings.
//!
//! Parameters come from config and may never be below the OWASP floor
//! (m = 19456 KiB, t = 2, p = 1); [`HashParams`] refuses to exist below it,
//! so a weak config fails to load rather than weakening every hash. A hash
//! made with other parameters still verifies (the PHC string carries its
//! own); [`HashParams::is_current`] tells the caller to re-hash after the
//! next successful sign-in.

use super::secret::Secret;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};

/// argon2id cost parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawParams")]
pub struct HashParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

/// OWASP's minimum for argon2id: 19 MiB, 2 passes, 1 lane.
pub const FLOOR: HashParams = HashParams {
    memory_kib: 19_456,
    iterations: 2,
    parallelism: 1,
};

/// Upper bounds that keep a typo from making sign-in take minutes or
/// exhausting a Pi's memory: a Pi 3 has 1 GiB for the desktop, the sales
/// software and the kiosk, and a hash that cannot get its memory aborts
/// the kiosk at every start (the dummy hash is made at start-up).
const MAX_MEMORY_KIB: u32 = 256 * 1024;
const MAX_ITERATIONS: u32 = 64;
const MAX_PARALLELISM: u32 = 16;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParams {
    // Checked field by field so that a config error points at the value.
    #[serde(deserialize_with = "memory_kib")]
    memory_kib: u32,
    #[serde(deserialize_with = "iterations")]
    iterations: u32,
    #[serde(deserialize_with = "parallelism")]
    parallelism: u32,
}

fn bounded<'de, D: serde::Deserializer<'de>>(
    d: D,
    name: &str,
    floor: u32,
    max: u32,
) -> Result<u32, D::Error> {
    let v = u32::deserialize(d)?;
    if v < floor {
        Err(serde::de::Error::custom(format!(
            "{name} = {v} is below the OWASP floor for argon2id ({name} >= {floor})"
        )))
    } else if v > max {
        Err(serde::de::Error::custom(format!(
            "{name} = {v} is above the limit of {max}"
        )))
    } else {
        Ok(v)
    }
}

fn memory_kib<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    bounded(d, "memory_kib", FLOOR.memory_kib, MAX_MEMORY_KIB)
}

fn iterations<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    bounded(d, "iterations", FLOOR.iterations, MAX_ITERATIONS)
}

fn parallelism<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    bounded(d, "parallelism", FLOOR.parallelism, MAX_PARALLELISM)
}

impl TryFrom<RawParams> for HashParams {
    type Error = String;
    fn try_from(r: RawParams) -> Result<Self, String> {
        HashParams::new(r.memory_kib, r.iterations, r.parallelism)
    }
}

impl Default for HashParams {
    fn default() -> Self {
        FLOOR
    }
}

/// A hash operation failed (only on a malformed stored hash or a bug).
#[derive(Debug, thiserror::Error)]
#[error("argon2 failed: {0}")]
pub struct HashError(String);

impl HashParams {
    /// Parameters, if at or above the floor and below sanity limits.
    pub fn new(memory_kib: u32, iterations: u32, parallelism: u32) -> Result<Self, String> {
        if memory_kib < FLOOR.memory_kib
            || iterations < FLOOR.iterations
            || parallelism < FLOOR.parallelism
        {
            return Err(format!(
                "argon2id parameters m={memory_kib} t={iterations} p={parallelism} are below \
                 the OWASP floor (memory_kib >= {}, iterations >= {}, parallelism >= {})",
                FLOOR.memory_kib, FLOOR.iterations, FLOOR.parallelism
            ));
        }
        if memory_kib > MAX_MEMORY_KIB
            || iterations > MAX_ITERATIONS
            || parallelism > MAX_PARALLELISM
        {
            return Err(format!(
                "argon2id parameters m={memory_kib} t={iterations} p={parallelism} are above \
                 the limits (memory_kib <= {MAX_MEMORY_KIB}, iterations <= {MAX_ITERATIONS}, \
                 parallelism <= {MAX_PARALLELISM})"
            ));
        }
        if memory_kib < 8 * parallelism {
            return Err("memory_kib must be at least 8 x parallelism".into());
        }
        Ok(HashParams {
            memory_kib,
            iterations,
            parallelism,
        })
    }

    fn argon2(&self) -> Result<Argon2<'static>, HashError> {
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, None)
            .map_err(|e| HashError(e.to_string()))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    /// Hashes `password` with a fresh random salt.
    pub fn hash(&self, password: &Secret) -> Result<String, HashError> {
        let phc = self
            .argon2()?
            .hash_password(password.expose().as_bytes())
            .map_err(|e| HashError(e.to_string()))?;
        Ok(phc.to_string())
    }

    /// Whether `phc` was made with these parameters (else re-hash it).
    pub fn is_current(&self, phc: &str) -> bool {
        match PasswordHash::new(phc) {
            Ok(h) => {
                let get = |k: &str| h.params.get_decimal(k);
                h.algorithm.as_str() == "argon2id"
                    && get("m") == Some(self.memory_kib)
                    && get("t") == Some(self.iterations)
                    && get("p") == Some(self.parallelism)
            }
            Err(_) => false,
        }
    }
}

/// The parameters of `phc`, if it is an argon2id hash within the floor
/// and the ceiling (the config's own limits).
pub fn params_of(phc: &str) -> Option<HashParams> {
    let h = PasswordHash::new(phc).ok()?;
    if h.algorithm.as_str() != "argon2id" {
        return None;
    }
    let get = |k: &str| h.params.get_decimal(k);
    HashParams::new(get("m")?, get("t")?, get("p")?).ok()
}

/// Whether `password` matches `phc`. A malformed hash never matches.
pub fn verify(password: &Secret, phc: &str) -> bool {
    #[cfg(feature = "test-hooks")]
    {
        hooks::VERIFICATIONS.with(|n| n.set(n.get() + 1));
        super::trace::record(super::trace::Step::Verify);
    }
    match PasswordHash::new(phc) {
        // Verification uses the parameters inside the hash.
        Ok(h) => Argon2::default()
            .verify_password(password.expose().as_bytes(), &h)
            .is_ok(),
        Err(_) => false,
    }
}

/// Test-only counters (the `test-hooks` feature, never packaged).
#[cfg(feature = "test-hooks")]
pub mod hooks {
    use std::cell::Cell;

    thread_local! {
        /// Password verifications on this thread so far.
        pub(super) static VERIFICATIONS: Cell<u64> = const { Cell::new(0) };
    }

    /// Password verifications this thread has made: the tests check that
    /// none happens before a failure is durable.
    pub fn verifications() -> u64 {
        VERIFICATIONS.with(Cell::get)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_parameters_below_the_floor() {
        assert!(HashParams::new(19_455, 2, 1).is_err());
        assert!(HashParams::new(19_456, 1, 1).is_err());
        assert!(HashParams::new(19_456, 2, 0).is_err());
        assert!(HashParams::new(19_456, 2, 1).is_ok());
        assert!(HashParams::new(256 * 1024, 2, 1).is_ok());
        assert!(HashParams::new(256 * 1024 + 1, 2, 1).is_err());
    }

    #[test]
    fn hash_verifies_and_is_salted() {
        let pw = Secret::from("538749");
        let a = FLOOR.hash(&pw).unwrap();
        let b = FLOOR.hash(&pw).unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "salts differ");
        assert!(verify(&pw, &a));
        assert!(!verify(&Secret::from("538748"), &a));
        assert!(!verify(&pw, "not a hash"));
    }

    #[test]
    fn knows_when_to_rehash() {
        let h = FLOOR.hash(&Secret::from("x")).unwrap();
        assert!(FLOOR.is_current(&h));
        let stronger = HashParams::new(19_456, 3, 1).unwrap();
        assert!(!stronger.is_current(&h));
        assert!(!FLOOR.is_current("garbage"));
    }
}
