//! A passkey authenticator for API tests: a P-256 key that answers the
//! server's WebAuthn options the way a browser and a platform
//! authenticator would (`none` attestation, a discoverable credential with
//! the person's user handle), and that can be told to misbehave: answer for
//! another origin, skip user verification, or send an old counter.
//!
//! (`webauthn-authenticator-rs`'s soft passkey answers only with a list of
//! allowed credentials and no user handle, so it cannot sign in the way
//! the family's passkeys do: chosen by the person, not named by the site.)

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ciborium::Value;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{DerSignature, SigningKey};
use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};

const USER_PRESENT: u8 = 0x01;
const USER_VERIFIED: u8 = 0x04;
const ATTESTED_DATA: u8 = 0x40;

/// One credential on one authenticator.
pub struct Authenticator {
    key: SigningKey,
    credential_id: Vec<u8>,
    user_handle: Vec<u8>,
    rp_id: String,
    /// The counter the next answer carries (incremented before use).
    pub counter: u32,
    /// The origin the browser writes into `clientDataJSON`.
    pub origin: String,
    /// Whether the authenticator says it verified the person.
    pub verifies_user: bool,
}

impl Authenticator {
    /// A new authenticator that answers as the page at `origin`.
    pub fn new(origin: &str) -> Self {
        let mut seed = [0u8; 32];
        rand_fill(&mut seed);
        let key = SigningKey::from_slice(&Sha256::digest(seed)).expect("a P-256 scalar");
        let mut credential_id = vec![0u8; 32];
        rand_fill(&mut credential_id);
        Self {
            key,
            credential_id,
            user_handle: Vec::new(),
            rp_id: String::new(),
            counter: 0,
            origin: origin.to_owned(),
            verifies_user: true,
        }
    }

    /// The credential id as the browser spells it.
    pub fn credential_id(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.credential_id)
    }

    /// Answers `navigator.credentials.create({publicKey})`: the
    /// `RegisterPublicKeyCredential` JSON. `options` is the server's
    /// `{"publicKey": ...}`.
    pub fn create(&mut self, options: &Json) -> Json {
        let public_key = &options["publicKey"];
        self.rp_id = public_key["rp"]["id"].as_str().expect("rp.id").to_owned();
        self.user_handle = decode(&public_key["user"]["id"]);
        let client_data = self.client_data("webauthn.create", &public_key["challenge"]);
        let mut auth_data = self.auth_data(ATTESTED_DATA);
        auth_data.extend_from_slice(&[0u8; 16]); // AAGUID: none
        let id_len = u16::try_from(self.credential_id.len()).expect("a short id");
        auth_data.extend_from_slice(&id_len.to_be_bytes());
        auth_data.extend_from_slice(&self.credential_id);
        auth_data.extend_from_slice(&cbor(&self.cose_key()));
        let attestation = Value::Map(vec![
            (text("fmt"), text("none")),
            (text("attStmt"), Value::Map(Vec::new())),
            (text("authData"), Value::Bytes(auth_data)),
        ]);
        json!({
            "id": self.credential_id(),
            "rawId": self.credential_id(),
            "type": "public-key",
            "response": {
                "attestationObject": URL_SAFE_NO_PAD.encode(cbor(&attestation)),
                "clientDataJSON": URL_SAFE_NO_PAD.encode(&client_data),
            },
            "extensions": {},
        })
    }

    /// Answers `navigator.credentials.get({publicKey})` with this
    /// credential (the person chose it): the `PublicKeyCredential` JSON.
    pub fn get(&mut self, options: &Json) -> Json {
        let client_data = self.client_data("webauthn.get", &options["publicKey"]["challenge"]);
        let auth_data = self.auth_data(0);
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(&client_data));
        let signature: DerSignature = self.key.sign(&signed);
        json!({
            "id": self.credential_id(),
            "rawId": self.credential_id(),
            "type": "public-key",
            "response": {
                "authenticatorData": URL_SAFE_NO_PAD.encode(&auth_data),
                "clientDataJSON": URL_SAFE_NO_PAD.encode(&client_data),
                "signature": URL_SAFE_NO_PAD.encode(signature.as_bytes()),
                "userHandle": URL_SAFE_NO_PAD.encode(&self.user_handle),
            },
            "extensions": {},
        })
    }

    fn client_data(&self, kind: &str, challenge: &Json) -> Vec<u8> {
        let data = json!({
            "type": kind,
            "challenge": challenge.as_str().expect("a challenge"),
            "origin": self.origin,
            "crossOrigin": false,
        });
        serde_json::to_vec(&data).expect("JSON")
    }

    /// rpIdHash, flags and the counter (incremented first).
    fn auth_data(&mut self, extra_flags: u8) -> Vec<u8> {
        self.counter += 1;
        let mut flags = USER_PRESENT | extra_flags;
        if self.verifies_user {
            flags |= USER_VERIFIED;
        }
        let mut data = Sha256::digest(self.rp_id.as_bytes()).to_vec();
        data.push(flags);
        data.extend_from_slice(&self.counter.to_be_bytes());
        data
    }

    /// The public key as COSE: EC2, ES256, P-256, x, y.
    fn cose_key(&self) -> Value {
        let point = self.key.verifying_key().to_encoded_point(false);
        let int = |i: i64| Value::Integer(i.into());
        Value::Map(vec![
            (int(1), int(2)),
            (int(3), int(-7)),
            (int(-1), int(1)),
            (int(-2), Value::Bytes(point.x().expect("x").to_vec())),
            (int(-3), Value::Bytes(point.y().expect("y").to_vec())),
        ])
    }
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn cbor(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).expect("CBOR");
    out
}

fn decode(value: &Json) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(value.as_str().expect("base64url"))
        .expect("base64url")
}

fn rand_fill(buf: &mut [u8]) {
    use rand::RngCore;
    rand::rng().fill_bytes(buf);
}
