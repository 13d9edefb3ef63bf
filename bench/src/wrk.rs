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

pub fn run(url: &str, cookie: Option<&str>) -> Load {
    let mut cmd = command();
    if let Some(c) = cookie {
        cmd.args(["-H", &format!("Cookie: {c}")]);
    }
    cmd.arg(url);
    load(cmd)
}

/// A urlencoded form POST per request, authenticated with `basic`
/// (`id:secret`); each request's body is the next line of `bodies`, the
/// two wrk threads taking alternate lines, so no line is sent twice unless
/// `cycle` allows starting over.
pub fn post_each(url: &str, basic: &str, bodies: &Path, cycle: bool) -> Load {
    let script = bodies.with_extension("lua");
    std::fs::write(&script, POST_EACH).expect("a temporary wrk script");
    let mut cmd = command();
    cmd.args(["-s", script.to_str().unwrap(), url, "--"])
        .arg(bodies)
        .arg(basic_header(basic))
        .arg(if cycle { "cycle" } else { "once" });
    load(cmd)
}

const POST_EACH: &str = r#"
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
function init(args)
  bodies = {}
  for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
  auth = args[2]
  cycle = args[3] == "cycle"
  n = tid + 1
end
function request()
  if n > #bodies and cycle then n = (n - 1) % #bodies + 1 end
  local body = bodies[n]
  if body == nil then error("out of request bodies: make the list longer") end
  n = n + 2
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Authorization"] = auth,
  }, body)
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
    let out = cmd.output().expect("wrk (make bench installs it)");
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(prefix))
            .map(|v| v.trim().to_owned())
            .unwrap_or_else(|| panic!("wrk printed no {prefix}:\n{text}"))
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
