//! The few bytes of the ssh-agent protocol (draft-miller-ssh-agent) that signing needs: one
//! `SSH_AGENTC_SIGN_REQUEST` for a key the agent holds, over the socket in `$SSH_AUTH_SOCK`.
//! The private key stays in the agent (or on the token behind it).

use ssh_key::{Algorithm, PublicKey, Signature};
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

const SSH_AGENT_FAILURE: u8 = 5;
const SSH2_AGENTC_SIGN_REQUEST: u8 = 13;
const SSH2_AGENT_SIGN_RESPONSE: u8 = 14;
/// Largest reply read (a signature is a few hundred bytes).
const MAX_REPLY: usize = 256 << 10;

fn put_string(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&(s.len() as u32).to_be_bytes());
    out.extend_from_slice(s);
}

fn get_string<'a>(buf: &mut &'a [u8]) -> Option<&'a [u8]> {
    let len = u32::from_be_bytes(buf.get(..4)?.try_into().ok()?) as usize;
    let s = buf.get(4..4 + len)?;
    *buf = &buf[4 + len..];
    Some(s)
}

/// Ask the agent at `socket` to sign `data` with `key`. Errors are one line for the user.
pub fn sign(socket: &Path, key: &PublicKey, data: &[u8]) -> Result<Signature, String> {
    let blob = key.to_bytes().map_err(|e| format!("cannot encode the public key: {e}"))?;
    let mut body = vec![SSH2_AGENTC_SIGN_REQUEST];
    put_string(&mut body, &blob);
    put_string(&mut body, data);
    body.extend_from_slice(&0u32.to_be_bytes()); // flags: none (ed25519 and ECDSA take none)
    let mut msg = (body.len() as u32).to_be_bytes().to_vec();
    msg.extend_from_slice(&body);

    let at = socket.display();
    let mut s = UnixStream::connect(socket).map_err(|e| format!("cannot reach ssh-agent at {at}: {e}"))?;
    let _ = s.set_read_timeout(Some(Duration::from_secs(120))); // a token may wait for a touch
    s.write_all(&msg).map_err(|e| format!("ssh-agent at {at}: {e}"))?;
    let mut len = [0u8; 4];
    s.read_exact(&mut len).map_err(|e| format!("ssh-agent at {at} did not answer: {e}"))?;
    let len = u32::from_be_bytes(len) as usize;
    if len == 0 || len > MAX_REPLY {
        return Err(format!("ssh-agent at {at} sent a reply of {len} bytes"));
    }
    let mut reply = vec![0u8; len];
    s.read_exact(&mut reply).map_err(|e| format!("ssh-agent at {at}: truncated reply: {e}"))?;
    match reply[0] {
        SSH2_AGENT_SIGN_RESPONSE => {}
        SSH_AGENT_FAILURE => {
            return Err(format!(
                "ssh-agent at {at} refused to sign with {}: is the key loaded (ssh-add -l) and usable?",
                key.fingerprint(ssh_key::HashAlg::Sha256)
            ));
        }
        t => return Err(format!("ssh-agent at {at} answered message type {t}, not a signature")),
    }
    let mut rest = &reply[1..];
    let bad = || format!("ssh-agent at {at} sent a malformed signature");
    let mut sig = get_string(&mut rest).ok_or_else(bad)?;
    let algo = get_string(&mut sig).ok_or_else(bad)?;
    let bytes = get_string(&mut sig).ok_or_else(bad)?;
    let algo = Algorithm::new(std::str::from_utf8(algo).map_err(|_| bad())?).map_err(|_| bad())?;
    Signature::new(algo, bytes.to_vec()).map_err(|e| format!("ssh-agent at {at}: {e}"))
}
