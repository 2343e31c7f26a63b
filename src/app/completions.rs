//! `kforensic completions SHELL`: a shell completion script on stdout.

use super::Cli;
use crate::{Error, Exit};
use clap::{Args, ValueEnum};

pub const EXAMPLES: &str = "\
Examples:
  kforensic completions bash > /etc/bash_completion.d/kforensic
  kforensic completions zsh > \"${fpath[1]}/_kforensic\"
  kforensic completions fish > ~/.config/fish/completions/kforensic.fish";

#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

impl Shell {
    pub fn generator(self) -> clap_complete::Shell {
        match self {
            Shell::Bash => clap_complete::Shell::Bash,
            Shell::Zsh => clap_complete::Shell::Zsh,
            Shell::Fish => clap_complete::Shell::Fish,
            Shell::Powershell => clap_complete::Shell::PowerShell,
            Shell::Elvish => clap_complete::Shell::Elvish,
        }
    }

    pub fn file_name(self) -> &'static str {
        match self {
            Shell::Bash => "kforensic.bash",
            Shell::Zsh => "_kforensic",
            Shell::Fish => "kforensic.fish",
            Shell::Powershell => "_kforensic.ps1",
            Shell::Elvish => "kforensic.elv",
        }
    }

    pub const ALL: [Shell; 5] = [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Powershell, Shell::Elvish];
}

/// Render the completion script for `shell` (also used by the test that keeps `completions/` fresh).
pub fn completion_script(shell: Shell) -> Vec<u8> {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell.generator(), &mut cmd, "kforensic", &mut out);
    out
}

pub fn run(a: CompletionsArgs) -> Result<Exit, Error> {
    super::output::write_stdout(&completion_script(a.shell)).map_err(Error::Output)?;
    Ok(Exit::Ok)
}
