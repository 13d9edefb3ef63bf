//! `make profile`: where a `/sso/check` spends its time. perf samples the
//! server (cpu-clock, frame pointers: `make profile` builds it with them)
//! while wrk loads the check as figure 1 does; inferno folds the stacks
//! into `target/profile/check.svg` (the flame graph) and `check.folded`,
//! and the frames of most weight are printed with their share of the
//! server's samples (docs/decisions/performance.md keeps them).

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::server::Running;

const SECONDS: u32 = 12;

/// The frames of most inclusive weight, as (share of samples, frame).
pub fn check(run: &Running, check_path: &str, cookie: &str) -> Vec<(f64, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/profile");
    std::fs::create_dir_all(&dir).expect("target/profile");
    let data = dir.join("perf.data");
    let wrk = Command::new("wrk")
        .args(["-t2", "-c32", &format!("-d{}s", SECONDS + 2)])
        .args(["-H", &format!("Cookie: {cookie}")])
        .arg(run.url(check_path))
        .stdout(Stdio::null())
        .spawn()
        .expect("wrk (make bench installs it)");
    std::thread::sleep(std::time::Duration::from_secs(1));
    let recorded = Command::new("perf")
        .args(["record", "-e", "cpu-clock", "-F", "997", "-g", "-o"])
        .arg(&data)
        .args([
            "-p",
            &run.pid().to_string(),
            "--",
            "sleep",
            &SECONDS.to_string(),
        ])
        .stderr(Stdio::null())
        .status()
        .expect("perf (make profile installs it)");
    assert!(recorded.success(), "perf record failed");
    wait(wrk);
    let script = Command::new("perf")
        .args(["script", "-i"])
        .arg(&data)
        .stderr(Stdio::null())
        .output()
        .expect("perf script");
    let folded = pipe("inferno-collapse-perf", &[], &script.stdout);
    std::fs::write(dir.join("check.folded"), &folded).expect("check.folded");
    let svg = pipe(
        "inferno-flamegraph",
        // Frames under 0.5 % of the width are left out: the graph stays
        // small enough to keep beside the notes (check.folded has all).
        &[
            "--minwidth",
            "0.5",
            "--title",
            "sso-server: GET /sso/check under wrk (32 connections)",
        ],
        &folded,
    );
    std::fs::write(dir.join("check.svg"), svg).expect("check.svg");
    heaviest(&String::from_utf8_lossy(&folded))
}

fn wait(child: std::process::Child) {
    child.wait_with_output().expect("wrk finishes");
}

fn pipe(program: &str, args: &[&str], input: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program} (make profile installs inferno): {e}"));
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{program} failed");
    out.stdout
}

/// Inclusive weight of each frame (counted once per stack), over all
/// samples: the 25 heaviest, then the 25 heaviest of the project's crates.
fn heaviest(folded: &str) -> Vec<(f64, String)> {
    let mut weight: HashMap<&str, u64> = HashMap::new();
    let mut total = 0u64;
    for line in folded.lines() {
        let Some((stack, count)) = line.rsplit_once(' ') else {
            continue;
        };
        let count: u64 = count.parse().unwrap_or(0);
        total += count;
        let mut seen: Vec<&str> = Vec::new();
        for frame in stack.split(';') {
            if !seen.contains(&frame) {
                seen.push(frame);
                *weight.entry(frame).or_default() += count;
            }
        }
    }
    let mut frames: Vec<(f64, String)> = weight
        .into_iter()
        .map(|(f, w)| (w as f64 / total.max(1) as f64 * 100.0, f.to_owned()))
        .collect();
    frames.sort_by(|a, b| b.0.total_cmp(&a.0));
    // The runtime's frames hold nearly every sample; the project's own say
    // where a check's time goes.
    let ours = frames.iter().filter(|(_, f)| f.contains("sso_")).take(25);
    let mut shown: Vec<(f64, String)> = frames.iter().take(25).cloned().collect();
    shown.extend(ours.cloned());
    shown
}
