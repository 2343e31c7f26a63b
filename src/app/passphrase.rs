//! The passphrase of an encrypted private key (`--identity`, `--sign-key`): read from a file
//! (`--passphrase-file`, or `$KFORENSIC_PASSPHRASE_FILE`) for runbooks, else asked on the
//! terminal without echo. It is never printed, logged or kept beyond the key's opening.

use crate::Error;
use crate::evidence::decrypt::Identities;
use age::secrecy::SecretString;
use clap::Args;
use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

/// The environment variable naming a file that holds the passphrase.
pub const FILE_ENV: &str = "KFORENSIC_PASSPHRASE_FILE";

#[derive(Debug, Clone, Default, Args)]
pub struct PassphraseArgs {
    /// The passphrase of a passphrase-protected OpenSSH key, as the first line of this file (for
    /// runbooks; without it the passphrase is asked on the terminal, without echo).
    #[arg(long, value_name = "FILE", env = FILE_ENV, help_heading = "Evidence")]
    pub passphrase_file: Option<PathBuf>,
}

impl PassphraseArgs {
    /// The private keys of `--identity FILE`, opened with the passphrase where they have one.
    pub fn identities(&self, file: &Path) -> Result<Identities, Error> {
        Identities::from_file(file, &asker(self.passphrase_file.clone())).map_err(super::usage)
    }
}

/// Longest passphrase read from a file or the terminal.
const MAX_BYTES: u64 = 4096;

/// How an encrypted key gets its passphrase: `file` when given, else the terminal.
pub fn asker(file: Option<PathBuf>) -> impl Fn(&str) -> Result<SecretString, String> {
    move |key: &str| match &file {
        Some(f) => from_file(f),
        None => from_terminal(key),
    }
}

/// The first line of `path` (without its line end).
fn from_file(path: &Path) -> Result<SecretString, String> {
    let mut v = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_BYTES).read_to_end(&mut v))
        .map_err(|e| format!("cannot read the passphrase file {}: {e}", path.display()))?;
    let line = v.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let text = String::from_utf8(line.to_vec()).map_err(|_| format!("the passphrase file {} is not UTF-8", path.display()))?;
    v.fill(0);
    if text.is_empty() {
        return Err(format!("the passphrase file {} is empty", path.display()));
    }
    Ok(SecretString::from(text))
}

/// The terminal in raw-ish mode while it lives (no echo, no line editing, no signals from keys:
/// Ctrl-C is read as a byte, so it can never leave the terminal without echo); restored when
/// dropped, errors and panics included.
struct Quiet<'a> {
    tty: &'a std::fs::File,
    saved: nix::sys::termios::Termios,
}

impl<'a> Quiet<'a> {
    fn new(tty: &'a std::fs::File) -> nix::Result<Quiet<'a>> {
        use nix::sys::termios::{LocalFlags, SetArg, SpecialCharacterIndices, tcgetattr, tcsetattr};
        let saved = tcgetattr(tty.as_fd())?;
        let mut quiet = saved.clone();
        quiet.local_flags.remove(LocalFlags::ECHO | LocalFlags::ICANON | LocalFlags::ISIG);
        quiet.control_chars[SpecialCharacterIndices::VMIN as usize] = 1;
        quiet.control_chars[SpecialCharacterIndices::VTIME as usize] = 0;
        tcsetattr(tty.as_fd(), SetArg::TCSAFLUSH, &quiet)?;
        Ok(Quiet { tty, saved })
    }
}

impl Drop for Quiet<'_> {
    fn drop(&mut self) {
        let _ = nix::sys::termios::tcsetattr(self.tty.as_fd(), nix::sys::termios::SetArg::TCSAFLUSH, &self.saved);
    }
}

/// Ask on the controlling terminal (not stdin/stdout: they may be a pipe or the report).
fn from_terminal(key: &str) -> Result<SecretString, String> {
    let no_tty = || format!("there is no terminal to ask for it on: give --passphrase-file FILE (or ${FILE_ENV})");
    let tty = std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty").map_err(|_| no_tty())?;
    let mut w = &tty;
    write!(w, "Passphrase for {}: ", super::output::terminal_safe(key)).map_err(|_| no_tty())?;
    let typed = {
        let _quiet = Quiet::new(&tty).map_err(|_| no_tty())?;
        read_typed(&tty)
    };
    let _ = writeln!(w);
    let text = typed?;
    if text.is_empty() {
        return Err(format!("no passphrase given for {key}"));
    }
    Ok(SecretString::from(text))
}

/// What is typed up to Enter, one byte at a time: Backspace and Ctrl-U edit, Ctrl-C and Ctrl-D
/// (on an empty line) give up.
fn read_typed(tty: &std::fs::File) -> Result<String, String> {
    let mut line: Vec<u8> = Vec::new();
    let mut byte = [0u8; 1];
    let mut r = tty;
    loop {
        match r.read(&mut byte) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("cannot read the passphrase: {e}")),
        }
        match byte[0] {
            b'\r' | b'\n' => break,
            0x03 => return Err("interrupted".into()),
            0x04 if line.is_empty() => return Err("no passphrase given".into()),
            0x7f | 0x08 => {
                // one character, however many bytes of UTF-8 it took
                while let Some(b) = line.pop() {
                    if b & 0xc0 != 0x80 {
                        break;
                    }
                }
            }
            0x15 => line.clear(),
            b => line.push(b),
        }
        if line.len() as u64 > MAX_BYTES {
            return Err("the passphrase is too long".into());
        }
    }
    String::from_utf8(line).map_err(|_| "the passphrase is not UTF-8".to_string())
}
