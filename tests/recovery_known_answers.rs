//! Recovery codes agree with an implementation written outside the crate
//! (`tests/vectors/recovery.py`, Python's hmac and hashlib): the service
//! desk's tool and every till in the field must compute the same 12 digits
//! forever, whatever changes inside the crate.
use till_kiosk::core::Secret;
use till_kiosk::core::recovery::{Challenge, TillKey};

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn the_crate_gives_the_known_answers() {
    let text = include_str!("vectors/recovery.json");
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    let vectors = v["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 5);
    for case in vectors {
        let master = unhex(case["master_key_hex"].as_str().unwrap());
        let serial = case["serial"].as_str().unwrap();
        let key = TillKey::derive(&master, serial).unwrap();
        assert_eq!(
            key.to_hex().as_str(),
            case["till_key_hex"].as_str().unwrap(),
            "till key for {serial}"
        );
        let challenge = Challenge {
            serial: serial.into(),
            nonce: case["nonce"].as_str().unwrap().into(),
        };
        let want = case["response"].as_str().unwrap();
        assert_eq!(key.response(&challenge).expose(), want, "{case}");
        // And the till accepts it as typed, grouped or not.
        assert!(key.check(&challenge, &Secret::from(want)));
        let grouped = format!("{} {} {}", &want[..4], &want[4..8], &want[8..]);
        assert!(key.check(&challenge, &Secret::new(grouped)));
    }
}

#[test]
fn tillctl_respond_gives_the_known_answer() {
    let text = include_str!("vectors/recovery.json");
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    let case = &v["vectors"][3];
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("master.key");
    std::fs::write(&key, unhex(case["master_key_hex"].as_str().unwrap())).unwrap();
    let challenge = format!(
        "{}-{}",
        case["serial"].as_str().unwrap(),
        case["nonce"].as_str().unwrap()
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tillctl"))
        .args(["--json", "recovery", "respond", "--master-key"])
        .arg(&key)
        .arg(&challenge)
        .env_remove("TILL_KIOSK_CONFIG")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reply: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reply["response"], case["response"]);
}
