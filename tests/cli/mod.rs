//! Running the built `lbsim` binary from the command-line tests (tests/lbsim.rs, tests/sweep.rs).

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `lbsim` with `args`, feeding it `stdin`; its exit status and output.
pub fn lbsim_with_input(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lbsim"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("lbsim starts");
    // lbsim may stop before reading all of it (an option it refuses, a file that is too big):
    // a broken pipe is expected then.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}
