//! Random tokens and ids, and how they are kept: only a SHA-256 of a token
//! is stored, and comparisons of secrets run in constant time.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A bearer token: 32 random bytes, URL-safe.
pub fn new_token() -> String {
    random_url_safe(32)
}

/// An unguessable id for tickets, appointments, devices (128 bits).
pub fn new_id() -> String {
    random_url_safe(16)
}

fn random_url_safe(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// A password people can type once: 4 groups of 4 lowercase letters and digits.
pub fn new_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..4)
        .map(|_| {
            (0..4)
                .map(|_| ALPHABET[(rng.next_u32() as usize) % ALPHABET.len()] as char)
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// A code people can read out and type: `len` capitals and digits,
/// without those that look alike (I/1, O/0, L, U).
pub fn human_code(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTVWXYZ23456789";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| ALPHABET[(rng.next_u32() as usize) % ALPHABET.len()] as char)
        .collect()
}

/// The stored form of a token.
pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A keyed hash (HMAC-SHA256, lowercase hex) of `value`: what is kept of
/// an identifier that must be recognised but never read back.
pub fn keyed_hash(key: &str, value: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(value.as_bytes());
    let digest = mac.finalize().into_bytes();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash_token(&a).len(), 64);
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_ne!(hash_token(&a), hash_token(&b));
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn keyed_hashes_depend_on_the_key() {
        // python3: hmac.new(b'key', b'AB123456', hashlib.sha256).hexdigest()
        let expected = "5adbae4c0723af5de239196619262a3961716d5b135c61446f9daa6c12c1d9ba";
        let hash = keyed_hash("key", "AB123456");
        assert_eq!(hash, expected);
        assert_ne!(hash, keyed_hash("other", "AB123456"));
        assert_ne!(hash, hash_token("AB123456"));
    }

    #[test]
    fn passwords_are_readable() {
        let p = new_password();
        assert_eq!(p.len(), 19);
        assert!(p.split('-').all(|g| g.len() == 4));
        assert!(constant_time_eq(&p, &p.clone()));
        assert!(!constant_time_eq(&p, "x"));
    }
}
