//! Runs Debian's `wrk` and reads its summary.

use std::path::Path;
use std::process::Command;

pub struct Load {
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

fn millis(text: &str) -> f64 {
    let (num, unit) = text
        .find(|c: char| c.is_ascii_alphabetic())
        .map(|i| text.split_at(i))
        .unwrap_or((text, "ms"));
    let n: f64 = num.parse().unwrap_or(f64::NAN);
    match unit {
        "us" => n / 1000.0,
        "s" => n * 1000.0,
        _ => n,
    }
}

/// Of rounds that alternate the loads compared (two cores shared by wrk,
/// Redis and the server make single runs noisy): the round with the median
/// `ratio`, and every round's ratio, sorted.
pub fn median_round<T>(mut rounds: Vec<T>, ratio: impl Fn(&T) -> f64) -> (T, Vec<f64>) {
    rounds.sort_by(|a, b| ratio(a).total_cmp(&ratio(b)));
    let ratios = rounds.iter().map(&ratio).collect();
    let median = rounds.swap_remove(rounds.len() / 2);
    (median, ratios)
}

pub fn run(url: &str, cookie: Option<&str>) -> Load {
    let mut cmd = command();
    if let Some(c) = cookie {
        cmd.args(["-H", &format!("Cookie: {c}")]);
    }
    cmd.arg(url);
    load(cmd)
}

/// One wrk per URL, all at once (one thread and `connections` connections
/// each): several servers loaded together, as a balancer spreads a load.
pub fn run_together(urls: &[String], cookie: &str, connections: usize) -> Vec<Load> {
    let children: Vec<_> = urls
        .iter()
        .map(|url| {
            Command::new("wrk")
                .args(["-t1", &format!("-c{connections}"), "-d4s", "--latency"])
                .args(["-H", &format!("Cookie: {cookie}")])
                .arg(url)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("wrk (make bench installs it)")
        })
        .collect();
    children
        .into_iter()
        .map(|child| summary(child.wait_with_output().expect("wrk finishes")))
        .collect()
}

/// A urlencoded form POST per request, authenticated with `basic`
/// (`id:secret`); each request's body is the next line of `bodies`, the
/// two wrk threads taking alternate lines, so no line is sent twice unless
/// `cycle` allows starting over.
pub fn post_each(url: &str, basic: &str, bodies: &Path, cycle: bool) -> Load {
    let mut cmd = command();
    post_args(&mut cmd, url, basic, bodies, cycle);
    load(cmd)
}

fn post_args(cmd: &mut Command, url: &str, basic: &str, bodies: &Path, cycle: bool) {
    let script = bodies.with_extension("lua");
    std::fs::write(&script, POST_EACH).expect("a temporary wrk script");
    cmd.args(["-s", script.to_str().unwrap(), url, "--"])
        .arg(bodies)
        .arg(basic_header(basic))
        .arg(if cycle { "cycle" } else { "once" });
}

/// A flood running in the background until [`Flood::finish`] (or `secs`
/// seconds at most): `connections` connections posting the lines of
/// `bodies` over and over, answers of any status accepted (a flood of
/// wrong secrets is meant to be refused).
pub struct Flood(std::process::Child);

/// What a flood achieved: requests per second, and how many were refused.
pub struct FloodResult {
    pub rps: f64,
    pub refused: u64,
}

impl Flood {
    pub fn start(url: &str, basic: &str, bodies: &Path, connections: usize, secs: u64) -> Self {
        let mut cmd = Command::new("wrk");
        cmd.args(["-t2", &format!("-c{connections}"), &format!("-d{secs}s")]);
        post_args(&mut cmd, url, basic, bodies, true);
        cmd.stdout(std::process::Stdio::piped());
        Self(cmd.spawn().expect("wrk (make bench installs it)"))
    }

    /// Stops the flood: on SIGINT wrk ends its run and prints its summary.
    pub fn finish(self) -> FloodResult {
        let stopped = Command::new("kill")
            .args(["-INT", &self.0.id().to_string()])
            .status()
            .expect("kill");
        assert!(stopped.success(), "wrk ended before the flood was over");
        let out = self.0.wait_with_output().expect("wrk finishes");
        let text = String::from_utf8_lossy(&out.stdout);
        FloodResult {
            rps: field(&text, "Requests/sec:")
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("wrk printed no rate:\n{text}")),
            refused: field(&text, "Non-2xx or 3xx responses:")
                .map_or(0, |v| v.parse().unwrap_or(0)),
        }
    }
}

/// Each thread formats its requests once, in `init`: formatting them in
/// `request()` made wrk spend more CPU per request than on `/healthz`,
/// and on two shared cores that CPU is taken from the server.
const POST_EACH: &str = r#"
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
function init(args)
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Authorization"] = args[2],
  }
  local lines = {}
  for line in io.lines(args[1]) do lines[#lines + 1] = line end
  cycle = args[3] == "cycle"
  -- This thread's lines; a cycled list too short to split is shared.
  local first, step = tid + 1, 2
  if cycle and #lines < 2 then first, step = 1, 1 end
  requests = {}
  for i = first, #lines, step do
    requests[#requests + 1] = wrk.format("POST", nil, headers, lines[i])
  end
  k = 0
end
function request()
  k = k + 1
  if k > #requests and cycle then k = 1 end
  local req = requests[k]
  if req == nil then error("out of request bodies: make the list longer") end
  return req
end
"#;

fn basic_header(id_secret: &str) -> String {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(id_secret);
    format!("Basic {encoded}")
}

/// Two threads, 32 connections, 4 seconds: the options come before the URL
/// (what follows `--` goes to the script).
fn command() -> Command {
    let mut cmd = Command::new("wrk");
    cmd.args(["-t2", "-c32", "-d4s", "--latency"]);
    cmd
}

fn load(mut cmd: Command) -> Load {
    summary(cmd.output().expect("wrk (make bench installs it)"))
}

fn summary(out: std::process::Output) -> Load {
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let field = |prefix: &str| {
        field(&text, prefix).unwrap_or_else(|| panic!("wrk printed no {prefix}:\n{text}"))
    };
    assert!(
        !text.contains("Non-2xx or 3xx"),
        "errors under load:\n{text}"
    );
    Load {
        rps: field("Requests/sec:").parse().unwrap(),
        p50_ms: millis(&field("50%")),
        p99_ms: millis(&field("99%")),
    }
}

/// The value after `prefix` on a line of wrk's summary.
fn field(summary: &str, prefix: &str) -> Option<String> {
    summary
        .lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix(prefix))
        .map(|v| v.trim().to_owned())
}
